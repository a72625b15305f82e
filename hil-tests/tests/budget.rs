//! Every firmware image fits its flash and RAM budget (`firmware/images/budget.txt`), and the
//! figures recorded there are the image's own.

use callboard_hil_tests::{
    BLACKPILL_HUB75, EMULATED_BOARD, budget_file, build, image_size, read_budget,
};

/// How far the recorded figures may drift before the file must be updated.
const RECORD_TOLERANCE: f64 = 0.05;

#[test]
fn every_image_fits_its_budget() {
    let update = std::env::var_os("CALLBOARD_UPDATE_BUDGET").is_some_and(|v| v == "1");
    let budget = read_budget().unwrap();
    let mut text = std::fs::read_to_string(budget_file()).unwrap();
    let images = [EMULATED_BOARD, BLACKPILL_HUB75];
    assert_eq!(budget.len(), images.len(), "one line an image in {}", budget_file().display());
    let mut stale = Vec::new();
    for spec in images {
        let row = budget.iter().find(|b| b.image == spec.package).unwrap_or_else(|| {
            panic!("{} has no line in {}", spec.package, budget_file().display())
        });
        let size = image_size(&build(spec).unwrap()).unwrap();
        eprintln!(
            "{}: flash {} of {} bytes, static RAM {} of {} bytes",
            spec.package, size.flash, row.flash_limit, size.static_ram, row.ram_limit
        );
        assert!(size.flash <= row.flash_limit, "{} is over its flash budget", spec.package);
        assert!(size.static_ram <= row.ram_limit, "{} is over its RAM budget", spec.package);
        let off = |recorded: u64, now: u64| {
            (recorded as f64 - now as f64).abs() > RECORD_TOLERANCE * recorded.max(1) as f64
        };
        if off(row.flash, size.flash) || off(row.static_ram, size.static_ram) {
            stale.push(format!(
                "{}: recorded flash {} static RAM {}, now {} and {}",
                spec.package, row.flash, row.static_ram, size.flash, size.static_ram
            ));
        }
        if update {
            text = text
                .lines()
                .map(|line| {
                    if line.split_whitespace().next() == Some(spec.package) {
                        let fields: Vec<&str> = line.split_whitespace().collect();
                        format!(
                            "{:<29} {:<12} {:<11} {:<7} {}",
                            fields[0], fields[1], fields[2], size.flash, size.static_ram
                        )
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n";
        }
    }
    if update {
        std::fs::write(budget_file(), text).unwrap();
    } else {
        assert!(
            stale.is_empty(),
            "{} is out of date (CALLBOARD_UPDATE_BUDGET=1 to update):\n{}",
            budget_file().display(),
            stale.join("\n")
        );
    }
}
