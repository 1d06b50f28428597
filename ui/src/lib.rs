//! The kiosk's view: the window, pages, widgets and the globals through which Rust
//! controllers (in the firmware's `ui` module) push state and receive callbacks. Only the
//! generated types live here; the `.slint` files hold layout and presentation state only.

slint::include_modules!();
