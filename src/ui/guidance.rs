//! The citizen-facing guidance (consultation guide, legal-aid self-check, ratings) as one
//! area of the controller: wiring the Slint callbacks, 返回 within each flow, and forgetting
//! everything when the kiosk goes home. The flows themselves live in `consult`, `legal_aid`
//! and `rating`; printing slips in `slips`.

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::controller::KioskController;
use super::{AppWindow, Choice, Consult, LegalAid, Nav, Page, Rating};

/// A Slint callback with one argument that reaches the controller while it lives.
pub(super) fn with_arg<A: 'static>(
    this: &KioskController,
    f: impl Fn(&Rc<KioskController>, A) + 'static,
) -> impl Fn(A) + 'static {
    let me = this.me.clone();
    move |a| {
        if let Some(this) = me.upgrade() {
            f(&this, a);
        }
    }
}

/// A Slint callback without arguments that reaches the controller while it lives.
pub(super) fn no_arg(
    this: &KioskController,
    f: impl Fn(&Rc<KioskController>) + 'static,
) -> impl Fn() + 'static {
    let me = this.me.clone();
    move || {
        if let Some(this) = me.upgrade() {
            f(&this);
        }
    }
}

/// A Slint list of choices.
pub(super) fn choices(items: Vec<Choice>) -> ModelRc<Choice> {
    ModelRc::new(VecModel::from(items))
}

/// A choice button's content.
pub(super) fn choice(
    id: impl Into<SharedString>,
    label: impl Into<SharedString>,
    detail: impl Into<SharedString>,
) -> Choice {
    Choice {
        id: id.into(),
        label: label.into(),
        detail: detail.into(),
        highlighted: false,
    }
}

impl KioskController {
    /// Connects the guidance pages' callbacks.
    pub(super) fn wire_guidance(&self, app: &AppWindow) {
        self.wire_consult(&app.global::<Consult>());
        self.wire_legal_aid(&app.global::<LegalAid>());
        self.wire_rating(&app.global::<Rating>());
    }

    /// Forgets every flow's state and what its pages showed (the kiosk went home).
    pub(super) fn reset_guidance(&self) {
        self.reset_consult();
        self.reset_legal_aid();
        self.reset_rating();
    }

    /// 返回 on a guidance page: one step back within its flow. Returns false for pages that
    /// are not guidance pages.
    pub(super) fn guidance_back(&self, page: Page) -> bool {
        match page {
            Page::Consult => self.consult_back(),
            Page::LegalAid => self.legal_aid_back(),
            Page::Rating => self.rating_back(),
            _ => return false,
        }
        true
    }

    /// Shows `page` (within the citizen's session).
    pub(super) fn show_page(&self, page: Page) {
        if let Some(app) = self.app.upgrade() {
            app.global::<Nav>().set_page(page);
        }
    }

    /// The session counter now, for results that arrive later from other threads.
    pub(super) fn session_now(&self) -> u64 {
        self.shared().session
    }

    /// A way back to this session's screen from another thread.
    pub(super) fn session_poster(&self) -> SessionPoster {
        SessionPoster {
            poster: self.deps.poster.clone(),
            target: self.ui_ref(),
            session: self.session_now(),
        }
    }
}

/// Posts results from worker threads to the UI thread, where they are dropped if the citizen
/// who asked has gone (the kiosk went home meanwhile).
#[derive(Clone)]
pub(super) struct SessionPoster {
    poster: super::Poster,
    target: super::UiRef<KioskController>,
    session: u64,
}

impl SessionPoster {
    /// Runs `f` on the UI thread if the session is still the one on screen.
    pub(super) fn post(&self, f: impl FnOnce(&KioskController) + Send + 'static) {
        let session = self.session;
        self.poster.post_to(&self.target, move |this| {
            if this.session_now() == session {
                f(this);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every character the guidance pages can show — their translations and the texts the
    /// controllers write (notices, labels, quick picks) — is in the kiosk's embedded font.
    #[test]
    fn every_character_the_guidance_shows_is_in_the_embedded_font() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(root.join("ui/fonts/NotoSansCJKsc-Regular-kiosk.otf")).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let mut text = String::new();
        for file in [
            "ui/lang/zh_CN/LC_MESSAGES/kiosk-ui.po",
            "ui/lang/ko_KR/LC_MESSAGES/kiosk-ui.po",
            "src/ui/consult.rs",
            "src/ui/legal_aid.rs",
            "src/ui/rating.rs",
        ] {
            text.push_str(&std::fs::read_to_string(root.join(file)).unwrap());
        }
        let missing: BTreeSet<char> = text
            .chars()
            .filter(|c| !c.is_ascii() && !c.is_control() && face.glyph_index(*c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "characters not in the kiosk font: {missing:?}"
        );
    }
}
