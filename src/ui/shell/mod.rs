//! What every controller shares, and the `Nav` global's controller: the window, the one way
//! to reach the UI thread, the citizen's [`Session`] with its guard against late results,
//! navigation (home, back, pages), the idle watch, and requests from one area to another
//! ([`Intent`]). Controllers never import each other; they meet here.

pub mod idle;
mod intent;
pub mod models;
pub mod poster;

use std::cell::{Ref, RefCell, RefMut};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use slint::ComponentHandle;

use self::idle::IdleWatch;
use self::poster::{Poster, UiRef};
use super::{Activity, AppWindow, Nav, Page, Theme};
use crate::clock::Clock;
use crate::i18n::Lang;
use crate::services::Reply;
use crate::session::{CardOutcome, Citizen, Guard, Session};

pub use intent::Intent;

type Hook = Box<dyn Fn()>;
/// Handles an intent; answers whether it did.
type IntentHandler = Box<dyn Fn(&Intent) -> bool>;

/// What the shell tells the controllers that subscribed.
#[derive(Default)]
struct Listeners {
    /// The kiosk went home; `true` when the citizen's session ended with it.
    home: Vec<Box<dyn Fn(bool)>>,
    /// A session started with a card.
    session_started: Vec<Hook>,
    /// The citizen chose another language (the shell already switched the translation).
    lang: Vec<Box<dyn Fn(Lang)>>,
    /// 还在吗？ with the seconds left, or `None` when the question goes away.
    idle_warning: Vec<Box<dyn Fn(Option<u32>)>>,
    /// A touch while a citizen uses the kiosk.
    activity: Vec<Hook>,
    /// A touch while the maintenance menu is open (it has its own timeout).
    staff_activity: Vec<Hook>,
    /// Something a citizen started that must not time out (a video call).
    keep_awake: Vec<Box<dyn Fn() -> bool>>,
    /// 返回 per page.
    back: HashMap<i32, Hook>,
    /// Requests between areas; each answers whether it handled the intent.
    intents: Vec<IntentHandler>,
}

struct Inner {
    me: Weak<Inner>,
    app: slint::Weak<AppWindow>,
    poster: Poster,
    clock: Arc<dyn Clock>,
    session: RefCell<Session>,
    idle: IdleWatch,
    listeners: RefCell<Listeners>,
}

/// The shell; cheap to clone, lives on the UI thread.
#[derive(Clone)]
pub struct Shell(Rc<Inner>);

/// How long the kiosk waits before it asks 还在吗？, and how long it then counts down.
#[derive(Debug, Clone, Copy)]
pub struct IdleTiming {
    pub warn_after: Duration,
    pub warn_for: Duration,
}

impl Shell {
    /// The shell of `app`, wired to the `Nav` and `Activity` globals.
    pub fn attach(
        app: &AppWindow,
        poster: Poster,
        clock: Arc<dyn Clock>,
        session: Session,
        idle: IdleTiming,
    ) -> Self {
        let inner = Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            app: app.as_weak(),
            poster,
            clock,
            session: RefCell::new(session),
            idle: IdleWatch::new(idle.warn_after, idle.warn_for),
            listeners: RefCell::default(),
        });
        let this = Self(inner);
        let nav = app.global::<Nav>();
        nav.on_go_home(this.hook(|s| s.go_home()));
        nav.on_finish_session(this.hook(|s| s.end_session()));
        nav.on_go_back(this.hook(|s| s.go_back()));
        nav.on_open_services(this.hook(|s| {
            s.request(Intent::OpenServices);
        }));
        app.global::<Activity>()
            .on_touched(this.hook(|s| s.touched()));
        this
    }

    /// A callback for a Slint global that reaches the shell while it lives.
    fn hook(&self, f: impl Fn(&Shell) + 'static) -> impl Fn() + 'static {
        let me = self.0.me.clone();
        move || {
            if let Some(inner) = me.upgrade() {
                f(&Shell(inner));
            }
        }
    }

    /// The window, while it exists.
    pub fn app(&self) -> Option<AppWindow> {
        self.0.app.upgrade()
    }

    pub fn app_weak(&self) -> slint::Weak<AppWindow> {
        self.0.app.clone()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.0.clock
    }

    pub fn poster(&self) -> &Poster {
        &self.0.poster
    }

    // ---- The session ----

    pub fn session(&self) -> Ref<'_, Session> {
        self.0.session.borrow()
    }

    fn session_mut(&self) -> RefMut<'_, Session> {
        self.0.session.borrow_mut()
    }

    pub fn lang(&self) -> Lang {
        self.session().lang()
    }

    /// A guard for work started now for the citizen at the screen.
    pub fn guard(&self) -> Guard {
        self.session().guard()
    }

    /// A reply that runs `f` with the controller behind `target` on the UI thread, unless
    /// the citizen's session (or the screen it was started from) ended meanwhile.
    pub fn reply<C: 'static, T: Send + 'static>(
        &self,
        target: &UiRef<C>,
        f: impl FnOnce(&C, T) + Send + 'static,
    ) -> Reply<T> {
        self.reply_while(self.guard(), target, f)
    }

    /// Like [`Shell::reply`], with any guard (a staff session's, a call's).
    pub fn reply_while<C: 'static, T: Send + 'static>(
        &self,
        guard: Guard,
        target: &UiRef<C>,
        f: impl FnOnce(&C, T) + Send + 'static,
    ) -> Reply<T> {
        let (poster, target) = (self.0.poster.clone(), target.clone());
        Box::new(move |value: T| {
            poster.post_to(&target, move |controller| {
                if guard.holds() {
                    f(controller, value);
                }
            });
        })
    }

    /// A valid card was read: a new session for its holder (whoever was here is forgotten).
    pub fn start_session(&self, citizen: Citizen) {
        let outcome = self.session_mut().card_placed(citizen);
        if let CardOutcome::Started {
            ended_previous: true,
        } = outcome
        {
            self.after_end();
            self.session_mut().leave_screen();
        }
        self.notify(|l| &mut l.session_started, |f| f());
        self.touched();
    }

    /// The card left the reader: on the home screen the session ends with it.
    pub fn card_removed(&self) {
        let on_home = self.page() == Page::Home;
        let outcome = self.session_mut().card_removed(on_home);
        if outcome == CardOutcome::Ended {
            self.end_session();
        }
    }

    /// Applies new defaults for the next session (staff changed them).
    pub fn set_defaults(&self, lang: Lang, large_text: bool) {
        self.session_mut().set_defaults(lang, large_text);
    }

    /// The citizen chose a language.
    pub fn set_lang(&self, lang: Lang) {
        if let Err(e) = slint::select_bundled_translation(lang.code()) {
            tracing::error!("cannot switch the UI to {}: {e}", lang.code());
            return;
        }
        self.session_mut().set_lang(lang);
        self.notify(|l| &mut l.lang, |f| f(lang));
    }

    /// The citizen switched large text on or off.
    pub fn set_large_text(&self, on: bool) {
        self.session_mut().set_large_text(on);
        if let Some(app) = self.app() {
            app.global::<Theme>().set_large_text(on);
        }
    }

    /// 首页 / 完成: home. A citizen whose card is still on the reader stays greeted.
    pub fn go_home(&self) {
        if self.session().home_ends_session() {
            self.end_session();
        } else {
            self.show_home(false);
        }
    }

    /// The citizen is done or gone: forget everything about them and go home.
    pub fn end_session(&self) {
        self.0.idle.stop();
        self.session_mut().end();
        self.after_end();
        self.show_home(true);
    }

    /// Puts the view back to the session's defaults after it ended.
    fn after_end(&self) {
        let (lang, large_text) = {
            let s = self.session();
            (s.lang(), s.large_text())
        };
        if let Some(app) = self.app() {
            app.global::<Theme>().set_large_text(large_text);
        }
        self.set_lang(lang);
    }

    fn show_home(&self, ended: bool) {
        // Late results of what was on screen must not reach the home screen.
        self.session_mut().leave_screen();
        self.notify(|l| &mut l.idle_warning, |f| f(None));
        self.notify(|l| &mut l.home, |f| f(ended));
        self.show(Page::Home);
    }

    // ---- Navigation ----

    pub fn page(&self) -> Page {
        self.app()
            .map_or(Page::Home, |app| app.global::<Nav>().get_page())
    }

    pub fn show(&self, page: Page) {
        if let Some(app) = self.app() {
            app.global::<Nav>().set_page(page);
        }
    }

    /// 返回: the controller of the page on screen decides; without one, home.
    pub fn go_back(&self) {
        let key = self.page() as i32;
        // Called without the borrow held: the handler navigates, and so notifies others.
        let handler = self.0.listeners.borrow_mut().back.remove(&key);
        match handler {
            Some(f) => {
                f();
                self.0.listeners.borrow_mut().back.entry(key).or_insert(f);
            }
            None => self.go_home(),
        }
    }

    /// Asks the area that handles `intent` to act on it; false when none did.
    pub fn request(&self, intent: Intent) -> bool {
        let handlers = std::mem::take(&mut self.0.listeners.borrow_mut().intents);
        let handled = handlers.iter().any(|h| h(&intent));
        let mut listeners = self.0.listeners.borrow_mut();
        let added = std::mem::take(&mut listeners.intents);
        listeners.intents = handlers;
        listeners.intents.extend(added);
        if !handled {
            tracing::warn!(?intent, "no area handles this request");
        }
        handled
    }

    // ---- Activity and the idle watch ----

    /// A touch anywhere.
    pub fn touched(&self) {
        self.notify(|l| &mut l.idle_warning, |f| f(None));
        if self.page() == Page::Maintenance {
            self.0.idle.stop();
            self.notify(|l| &mut l.staff_activity, |f| f());
            return;
        }
        let (warn, timeout) = (self.0.me.clone(), self.0.me.clone());
        self.0.idle.restart(
            move |left| {
                if let Some(inner) = warn.upgrade() {
                    Shell(inner).idle_warning(left);
                }
            },
            move || {
                if let Some(inner) = timeout.upgrade() {
                    Shell(inner).end_session();
                }
            },
        );
        self.notify(|l| &mut l.activity, |f| f());
    }

    /// Changes the idle timing from the next quiet spell on.
    pub fn set_idle_timing(&self, timing: IdleTiming) {
        self.0.idle.set_timing(timing.warn_after, timing.warn_for);
    }

    /// The home screen with nothing of a citizen's session to forget.
    pub fn at_rest(&self) -> bool {
        self.page() == Page::Home && self.session().at_rest()
    }

    fn idle_warning(&self, seconds_left: u32) {
        let awake = {
            let listeners = self.0.listeners.borrow();
            listeners.keep_awake.iter().any(|f| f())
        };
        // No time pressure while talking with a lawyer; nothing to ask at rest.
        if awake || self.at_rest() {
            self.0.idle.stop();
            return;
        }
        self.notify(|l| &mut l.idle_warning, |f| f(Some(seconds_left)));
    }

    // ---- Subscriptions ----

    pub fn on_home(&self, f: impl Fn(bool) + 'static) {
        self.0.listeners.borrow_mut().home.push(Box::new(f));
    }

    pub fn on_session_started(&self, f: impl Fn() + 'static) {
        self.0
            .listeners
            .borrow_mut()
            .session_started
            .push(Box::new(f));
    }

    pub fn on_lang(&self, f: impl Fn(Lang) + 'static) {
        self.0.listeners.borrow_mut().lang.push(Box::new(f));
    }

    pub fn on_idle_warning(&self, f: impl Fn(Option<u32>) + 'static) {
        self.0.listeners.borrow_mut().idle_warning.push(Box::new(f));
    }

    pub fn on_activity(&self, f: impl Fn() + 'static) {
        self.0.listeners.borrow_mut().activity.push(Box::new(f));
    }

    pub fn on_staff_activity(&self, f: impl Fn() + 'static) {
        self.0
            .listeners
            .borrow_mut()
            .staff_activity
            .push(Box::new(f));
    }

    pub fn keep_awake_while(&self, f: impl Fn() -> bool + 'static) {
        self.0.listeners.borrow_mut().keep_awake.push(Box::new(f));
    }

    pub fn on_back(&self, page: Page, f: impl Fn() + 'static) {
        self.0
            .listeners
            .borrow_mut()
            .back
            .insert(page as i32, Box::new(f));
    }

    pub fn on_intent(&self, f: impl Fn(&Intent) -> bool + 'static) {
        self.0.listeners.borrow_mut().intents.push(Box::new(f));
    }

    /// Calls each listener of one kind without holding the borrow, so a listener may
    /// navigate (and so notify others) in turn.
    fn notify<F: ?Sized>(
        &self,
        pick: impl Fn(&mut Listeners) -> &mut Vec<Box<F>>,
        call: impl Fn(&F),
    ) {
        let taken = std::mem::take(pick(&mut self.0.listeners.borrow_mut()));
        for f in &taken {
            call(f);
        }
        let mut listeners = self.0.listeners.borrow_mut();
        let slot = pick(&mut listeners);
        let added = std::mem::take(slot);
        *slot = taken;
        slot.extend(added);
    }
}

/// A callback for a Slint global that reaches controller `C` while it lives.
pub fn callback<C: 'static>(me: &Weak<C>, f: impl Fn(&Rc<C>) + 'static) -> impl Fn() + 'static {
    let me = me.clone();
    move || {
        if let Some(this) = me.upgrade() {
            f(&this);
        }
    }
}

/// A callback with one argument for a Slint global that reaches controller `C` while it lives.
pub fn callback_with<C: 'static, A: 'static>(
    me: &Weak<C>,
    f: impl Fn(&Rc<C>, A) + 'static,
) -> impl Fn(A) + 'static {
    let me = me.clone();
    move |a| {
        if let Some(this) = me.upgrade() {
            f(&this, a);
        }
    }
}

/// Gives a controller (with a `shell` field) its `with(f)`: runs `f` on the controller's
/// Slint global while the window is open, and does nothing after it closed.
macro_rules! with_global {
    ($global:ident) => {
        fn with(&self, f: impl FnOnce(&$global<'_>)) {
            if let Some(app) = self.shell.app() {
                f(&app.global::<$global>());
            }
        }
    };
}
pub(crate) use with_global;
