//! `legal-kiosk run`: the kiosk itself.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::clock::SystemClock;
use crate::config::Config;
use crate::queue::Catalogue;
use crate::store::Store;
use crate::ui::{AppWindow, Deps, KioskController, Poster};
use crate::worker::Worker;

pub fn run(config_path: Option<&Path>) -> Result<()> {
    let config = Config::load(config_path)?;
    let data_dir = config.data_dir();
    let store = Store::open(&Store::path_in(&data_dir))?;
    tracing::info!(data = %data_dir.display(), "store opened");
    let worker = Worker::spawn(store).context("cannot start the store thread")?;

    use slint::ComponentHandle;
    let app = AppWindow::new().context("cannot open the kiosk window")?;
    if config.kiosk.fullscreen {
        app.window().set_fullscreen(true);
    }
    let controller = KioskController::attach(
        &app,
        Deps {
            kiosk: config.kiosk.clone(),
            catalogue: Arc::new(Catalogue::built_in()),
            worker,
            printer: None,
            clock: Arc::new(SystemClock),
            poster: Poster::event_loop(),
        },
    );
    app.run().context("the kiosk window failed")?;
    drop(controller);
    Ok(())
}
