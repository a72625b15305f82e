//! The supervisors' view over HTTP: the JSON API (`/api/v1/...`) and `/metrics` in the
//! Prometheus text format.
//!
//! The service computes what the API serves once per step, from the same center the boards'
//! frames come from, and publishes it ([`Published`]); a request only clones what was last
//! published. The server runs on a Tokio runtime of its own thread: a slow or hostile client
//! holds a task of that runtime, never the service's loop nor a line's writer, which take no
//! lock the server takes. axum and hyper do the HTTP; hyper refuses oversized request heads
//! (a huge query string) itself.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use callboard_core::calendar::LocalDate;
use callboard_core::interval::IntervalReport;

use crate::publish::WallboardScene;

/// What the API serves, as the service last computed it.
#[derive(Debug, Default, Clone)]
pub struct Published {
    /// `GET /api/v1/queues`: every queue now.
    pub queues: Arc<String>,
    /// `GET /api/v1/queues/{name}`: each queue now, by its name in the log.
    pub queue: Arc<Vec<(String, String)>>,
    /// `GET /api/v1/csat`.
    pub csat: Arc<String>,
    /// `GET /api/v1/agreements`.
    pub agreements: Agreements,
    /// `GET /api/v1/boards`.
    pub boards: Arc<String>,
    /// `GET /api/v1/fleet`: every site, gateway and gateway-driven board the broker tells of.
    pub fleet: Arc<String>,
    /// `GET /metrics`.
    pub metrics: Arc<String>,
    /// `GET /api/v1/wallboard` and each message of `GET /api/v1/stream`, to be drawn.
    pub wallboard: Arc<WallboardScene>,
    /// `GET /api/v1/intervals`: each queue's intervals kept, with their local dates.
    pub intervals: Arc<Vec<QueueIntervals>>,
    /// The local date of the service's clock.
    pub today: Option<LocalDate>,
    /// Which step published it (the stream sends a message when it changes).
    pub step: u64,
}

/// The service agreements as last judged.
#[derive(Debug, Default, Clone)]
pub enum Agreements {
    /// The site file has no `[agreements]`.
    #[default]
    NotKept,
    /// Not judged yet: no clock yet, or the files not read yet.
    NotYet,
    /// The report, as JSON.
    Judged(Arc<String>),
}

/// A queue's intervals as the engine keeps them: today's and yesterday's, oldest first.
#[derive(Debug, Clone)]
pub struct QueueIntervals {
    /// The queue's name in the log.
    pub name: String,
    /// Each interval with the local date it starts on.
    pub rows: Vec<(LocalDate, IntervalReport)>,
}

/// Where the service leaves what it publishes.
pub type Board = Arc<RwLock<Published>>;

/// What the handlers share: what was published, and the wallboard last drawn.
#[derive(Debug, Clone)]
struct Served {
    board: Board,
    /// The wallboard drawn.
    drawn: Arc<StepCache>,
    /// Queues' days of intervals, by queue and date.
    intervals: Arc<StepCache>,
}

impl axum::extract::FromRef<Served> for Board {
    fn from_ref(served: &Served) -> Self {
        Arc::clone(&served.board)
    }
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// The address it listens on (a port of 0 in the file becomes the one given).
    pub address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Stops it and waits for its thread.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A JSON error: `{"error": reason, "status": code}`.
fn error(status: StatusCode, reason: &str) -> Response {
    let body = serde_json::json!({ "error": reason, "status": status.as_u16() });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn json(body: &str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.to_owned()).into_response()
}

fn read(board: &Board) -> Published {
    board.read().map(|p| p.clone()).unwrap_or_default()
}

async fn queues(State(board): State<Board>) -> Response {
    json(&read(&board).queues)
}

async fn queue(State(board): State<Board>, Path(name): Path<String>) -> Response {
    let published = read(&board);
    match published.queue.iter().find(|(n, _)| *n == name) {
        Some((_, body)) => json(body),
        None => error(StatusCode::NOT_FOUND, &format!("no queue {name:?}")),
    }
}

/// `GET /api/v1/intervals?queue=NAME&date=YYYY-MM-DD`: one queue's intervals of a day kept
/// (today when no date is given).
async fn intervals(
    State(state): State<Served>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    const USAGE: &str = "give queue=NAME and, for a day other than today, date=YYYY-MM-DD";
    if let Some(unknown) = query.keys().find(|k| !matches!(k.as_str(), "queue" | "date")) {
        return error(StatusCode::BAD_REQUEST, &format!("unknown parameter {unknown:?}: {USAGE}"));
    }
    let Some(name) = query.get("queue") else {
        return error(StatusCode::BAD_REQUEST, &format!("no queue: {USAGE}"));
    };
    let published = read(&state.board);
    let Some(queue) = published.intervals.iter().find(|q| q.name == *name) else {
        return error(StatusCode::NOT_FOUND, &format!("no queue {name:?}"));
    };
    let Some(today) = published.today else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "no clock yet: nothing has been read");
    };
    let date = match query.get("date") {
        None => today,
        Some(text) => match callboard_queue_log::local_time::parse_date(text) {
            Ok(date) => date,
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("date: {e}")),
        },
    };
    let oldest = queue.rows.first().map_or(today, |(day, _)| *day);
    if date > today || date < oldest {
        return error(
            StatusCode::NOT_FOUND,
            &format!(
                "no intervals of {date} kept: the service keeps {name}'s from {oldest} to today, {today}"
            ),
        );
    }
    let key = format!("{name}\n{date}");
    json(
        &state
            .intervals
            .get_or_make(&key, published.step, || crate::publish::intervals_body(queue, date)),
    )
}

async fn agreements(State(board): State<Board>) -> Response {
    match read(&board).agreements {
        Agreements::Judged(body) => json(&body),
        Agreements::NotYet => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the agreements are not judged yet: no clock yet, or the files not read (the log says why)",
        ),
        Agreements::NotKept => {
            error(StatusCode::NOT_FOUND, "no agreements: the site file has no [agreements]")
        }
    }
}

async fn csat(State(board): State<Board>) -> Response {
    json(&read(&board).csat)
}

async fn boards(State(board): State<Board>) -> Response {
    json(&read(&board).boards)
}

async fn fleet(State(board): State<Board>) -> Response {
    json(&read(&board).fleet)
}

async fn metrics(State(board): State<Board>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        read(&board).metrics.to_string(),
    )
        .into_response()
}

/// The web wallboard: one page, embedded in the binary.
const PAGE: &str = include_str!("../web/index.html");

async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

/// Bodies made for a step, by what was asked, shared by every client that asks the same during
/// that step: the first one makes it, the others wait for it and get the same.
#[derive(Debug, Default)]
struct StepCache {
    bodies: Mutex<HashMap<String, (u64, Arc<String>)>>,
}

impl StepCache {
    /// The body for `key` at `step`, made by `make` if it was not made during that step.
    fn get_or_make(&self, key: &str, step: u64, make: impl FnOnce() -> String) -> Arc<String> {
        let mut bodies = self.bodies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match bodies.get(key) {
            Some((made, body)) if *made == step => Arc::clone(body),
            _ => {
                let body = Arc::new(make());
                bodies.insert(key.to_owned(), (step, Arc::clone(&body)));
                body
            }
        }
    }
}

/// The wallboard as the last step shows it, drawn off the runtime's threads (drawing takes a
/// while) by the first client to ask during the step.
async fn drawn(state: &Served) -> (u64, Arc<String>) {
    let published = read(&state.board);
    let step = published.step;
    let cache = Arc::clone(&state.drawn);
    let body = tokio::task::spawn_blocking(move || {
        cache.get_or_make("", step, || published.wallboard.draw())
    })
    .await
    .unwrap_or_default();
    (step, body)
}

async fn wallboard(State(state): State<Served>) -> Response {
    json(&drawn(&state).await.1)
}

/// Server-sent events: the wallboard each time the service publishes a step, at once on
/// connecting, and a comment every 15 s so proxies keep the stream open.
async fn stream(State(state): State<Served>) -> Response {
    let steps = futures_util::stream::unfold((state, None::<u64>), |(state, last)| async move {
        loop {
            let step = read(&state.board).step;
            if last != Some(step) {
                let (step, body) = drawn(&state).await;
                let event = Event::default().event("step").data(body.as_str());
                return Some((Ok::<_, std::convert::Infallible>(event), (state, Some(step))));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    Sse::new(steps).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such path: the wallboard is /, the API /api/v1/queues, /api/v1/queues/{name}, /api/v1/intervals, /api/v1/csat, /api/v1/agreements, /api/v1/boards, /api/v1/wallboard, /api/v1/stream, and /metrics",
    )
}

async fn only_get() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served")
}

/// The paths served, as docs/openapi.yaml lists them.
pub const PATHS: [&str; 11] = [
    "/",
    "/api/v1/queues",
    "/api/v1/queues/{name}",
    "/api/v1/intervals",
    "/api/v1/csat",
    "/api/v1/agreements",
    "/api/v1/boards",
    "/api/v1/fleet",
    "/api/v1/wallboard",
    "/api/v1/stream",
    "/metrics",
];

/// The routes, on `board`.
pub fn router(board: Board) -> Router {
    let [
        root,
        all,
        one,
        periods,
        satisfaction,
        agreed,
        health,
        whole_fleet,
        pictures,
        events,
        prometheus,
    ] = PATHS;
    Router::new()
        .route(root, get(page))
        .route(pictures, get(wallboard))
        .route(events, get(stream))
        .route(all, get(queues))
        .route(one, get(queue))
        .route(periods, get(intervals))
        .route(agreed, get(agreements))
        .route(satisfaction, get(csat))
        .route(health, get(boards))
        .route(whole_fleet, get(fleet))
        .route(prometheus, get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(only_get)
        .with_state(Served { board, drawn: Arc::default(), intervals: Arc::default() })
}

/// Listens on `address` and serves `board` until stopped.
///
/// # Errors
/// An address that cannot be bound, or a runtime that cannot start.
pub fn start(address: SocketAddr, board: Board) -> Result<Server, String> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|e| format!("http: cannot listen on {address}: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| format!("http: {e}"))?;
    let bound = listener.local_addr().map_err(|e| format!("http: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("http: cannot start its runtime: {e}"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = std::thread::Builder::new()
        .name("http".into())
        .spawn({
            let stop = Arc::clone(&stop);
            move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                    let asked = |stop: Arc<AtomicBool>| async move {
                        while !stop.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    };
                    let serving = axum::serve(listener, router(board))
                        .with_graceful_shutdown(asked(Arc::clone(&stop)));
                    // Requests under way get a second to finish; a client that holds its
                    // connection longer does not hold up the service's stop.
                    tokio::select! {
                        _ = serving => {}
                        () = async {
                            asked(stop).await;
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        } => {}
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(500));
            }
        })
        .map_err(|e| format!("http: cannot start its thread: {e}"))?;
    Ok(Server { address: bound, stop, thread: Some(thread) })
}

#[cfg(test)]
mod tests {
    use super::PATHS;

    #[test]
    fn the_openapi_file_describes_every_path_served_and_no_other() {
        let openapi = include_str!("../../../docs/openapi.yaml");
        let listed: Vec<&str> =
            openapi.lines().filter_map(|l| l.strip_prefix("  /")?.strip_suffix(':')).collect();
        let served: Vec<&str> = PATHS.iter().map(|p| &p[1..]).filter(|p| !p.is_empty()).collect();
        assert_eq!(listed, served);
    }
}
