//! A real PostgreSQL server for a test: Debian's `postgresql` (installed by `scripts/test`),
//! a cluster made with `initdb` in a temporary directory, listening on a free loopback port
//! with TLS (a self-signed certificate made by `openssl`) and password authentication over
//! TCP, stopped when dropped. As root, the server runs as the `postgres` user the package
//! makes (PostgreSQL refuses to run as root).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The database's user and password.
pub const USER: &str = "callboard";
/// Its password.
pub const PASSWORD: &str = "wallboard-311";

/// Asterisk's realtime `queue_log` table, as its sample schema makes it.
pub const SCHEMA: &str = "CREATE TABLE queue_log (
    id bigserial PRIMARY KEY,
    time timestamp without time zone,
    callid varchar(80), queuename varchar(256), agent varchar(80), event varchar(32),
    data1 varchar(100), data2 varchar(100), data3 varchar(100), data4 varchar(100),
    data5 varchar(100))";

/// Inserts a classic log line as Asterisk's realtime driver would: the time in the site's
/// local time (`zone`, a PostgreSQL time zone name such as `Etc/GMT-2` for UTC+2), the data
/// fields in their columns.
pub fn insert(client: &mut impl postgres::GenericClient, line: &str, zone: &str) {
    let f: Vec<&str> = line.split('|').collect();
    let data = |i: usize| f.get(5 + i).copied().unwrap_or("");
    let epoch: f64 = f[0].parse().unwrap();
    client
        .execute(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3, data4, data5)
             VALUES (timezone($11, to_timestamp($1)), $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[&epoch, &f[1], &f[2], &f[3], &f[4], &data(0), &data(1), &data(2), &data(3), &data(4), &zone],
        )
        .unwrap();
}

/// Inserts `lines` as [`insert`] does, in one transaction: committed together, as a switch's
/// backlog would be.
pub fn insert_all<'a>(
    client: &mut postgres::Client,
    lines: impl IntoIterator<Item = &'a str>,
    zone: &str,
) {
    let mut transaction = client.transaction().unwrap();
    for line in lines {
        insert(&mut transaction, line, zone);
    }
    transaction.commit().unwrap();
}

/// A running server.
pub struct Postgres {
    /// Its directory (cluster, socket, log).
    pub dir: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.flatten()
                .map(|d| d.path().join("bin"))
                .filter(|b| b.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL is not installed: run scripts/test, which installs Debian's postgresql")
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Postgres {
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = command.args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// Makes a cluster in a new directory under `parent` and starts it.
    pub fn start(parent: &Path) -> Self {
        let dir = parent.join("postgres");
        std::fs::create_dir_all(&dir).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let as_postgres = is_root();
        let server = Self { dir: dir.clone(), port, bin: bin_dir(), as_postgres };
        let password_file = dir.join("password");
        std::fs::write(&password_file, PASSWORD).unwrap();
        if as_postgres {
            let chown =
                Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().unwrap();
            assert!(chown.success());
            // The postgres user must be able to reach it.
            let _ = Command::new("chmod").arg("o+rx").arg(parent).status();
        }
        server.run(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-U",
                USER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                &format!("--pwfile={}", password_file.display()),
                "--no-sync",
            ],
        );
        let key = dir.join("data/server.key");
        let certificate = dir.join("data/server.crt");
        let openssl = Command::new("openssl")
            .args(["req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .output()
            .expect("openssl");
        assert!(openssl.status.success(), "{}", String::from_utf8_lossy(&openssl.stderr));
        if as_postgres {
            let _ =
                Command::new("chown").arg("postgres:postgres").arg(&key).arg(&certificate).status();
        }
        let _ = Command::new("chmod").arg("600").arg(&key).status();
        let mut conf = std::fs::read_to_string(dir.join("data/postgresql.conf")).unwrap();
        conf += &format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nssl = on\nfsync = off\n",
            dir.display()
        );
        std::fs::write(dir.join("data/postgresql.conf"), conf).unwrap();
        server.run(
            "pg_ctl",
            &[
                "-D",
                &server.data(),
                "-l",
                &dir.join("log").display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        server
    }

    /// Restarts it (`fast`: clients are disconnected, as an operator's restart does).
    pub fn restart(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "restart",
                "-l",
                &self.dir.join("log").display().to_string(),
            ],
        );
    }

    /// The connection settings a site file gives (TLS required, the password in a file).
    #[must_use]
    pub fn connection(&self) -> String {
        format!("host=127.0.0.1 port={} user={USER} dbname=postgres sslmode=require", self.port)
    }

    /// A client for the test itself, over the socket directory (trust).
    #[must_use]
    pub fn client(&self) -> postgres::Client {
        postgres::Config::new()
            .host_path(&self.dir)
            .port(self.port)
            .user(USER)
            .dbname("postgres")
            .connect(postgres::NoTls)
            .expect("connect to the test's PostgreSQL")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let _ = command.args(["-D", &self.data(), "-m", "immediate", "-w", "stop"]).output();
    }
}
