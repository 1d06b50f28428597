slint::include_modules!();
fn main() {
    let _ = AppWindow::new();
}
