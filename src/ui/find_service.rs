//! The `FindService` global's controller (找机构): a kind of institution, then those of that
//! kind nearest this terminal (its district, city or the province; open now; free services),
//! then one institution with its address, hours and a slip that takes the citizen there.
//! Opened from the home screen, and from a consultation outcome that sends the citizen to a
//! kind of institution (straight to that kind's list; 返回 goes back to the outcome).

use std::cell::RefCell;
use std::rc::Rc;

use provisioning::institutions::InstitutionKind;
use provisioning::map::install::InstalledMap;
use slint::{ComponentHandle, SharedString};

use super::map_panel::MapPanel;
use super::shell::models::{choice, choices, slip_ready, slip_stage};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, FindService, FindStep, Page, SlipStage};
use crate::domain::consult::flow::pick;
use crate::domain::institutions::{Filter, Place, Reach, kind_name};
use crate::i18n::Lang;
use crate::services::{DirectoryService, PrintService};

/// The choice that lists every kind.
const ALL_KINDS: &str = "all";

#[derive(Default)]
struct FindState {
    filter: Filter,
    /// The institution on screen.
    shown: Option<String>,
    /// Where 返回 from the list goes: the page it was opened from (an outcome), or the kinds.
    came_from: Option<Page>,
}

/// The map in force, when one is (a cheap check of one small file).
pub type MapInForce = Box<dyn Fn() -> Option<InstalledMap>>;

pub struct FindServiceController {
    shell: Shell,
    directory: DirectoryService,
    printing: PrintService,
    maps: MapInForce,
    map: RefCell<MapPanel>,
    ui: UiRef<Self>,
    state: RefCell<FindState>,
}

impl FindServiceController {
    pub fn attach(
        app: &AppWindow,
        shell: Shell,
        directory: DirectoryService,
        printing: PrintService,
        maps: MapInForce,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            directory,
            printing,
            maps,
            map: RefCell::default(),
            ui: UiRef::from_weak(me),
            state: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<FindService>();
        g.on_open(callback(&me, |this| this.open()));
        g.on_choose_kind(callback_with(&me, |this, id: SharedString| {
            let kind = InstitutionKind::parse(&id);
            if kind.is_none() && id != ALL_KINDS {
                return;
            }
            this.state.borrow_mut().filter.kind = kind;
            this.show_list();
        }));
        g.on_choose_reach(callback_with(&me, |this, id: SharedString| {
            if let Some(reach) = Reach::from_id(&id) {
                this.state.borrow_mut().filter.reach = reach;
                this.show_list();
            }
        }));
        g.on_toggle_open_now(callback(&me, |this| {
            {
                let on = &mut this.state.borrow_mut().filter.open_now;
                *on = !*on;
            }
            this.show_list();
        }));
        g.on_toggle_free_only(callback(&me, |this| {
            {
                let on = &mut this.state.borrow_mut().filter.free_only;
                *on = !*on;
            }
            this.show_list();
        }));
        g.on_choose(callback_with(&me, |this, id: SharedString| {
            this.show_place(&id)
        }));
        g.on_print_slip(callback(&me, |this| this.print_slip()));
        g.on_map_press(callback(&me, |this| this.map.borrow_mut().press()));
        let m = me.clone();
        g.on_map_drag(move |dx, dy| {
            let Some(this) = m.upgrade() else {
                return;
            };
            if this.map.borrow_mut().drag_to(dx, dy) {
                this.draw_map();
            }
        });
        g.on_map_zoom(callback_with(&me, |this, steps: i32| {
            if this.map.borrow_mut().zoom(steps) {
                this.draw_map();
            }
        }));
        shell.on_back(Page::FindService, callback(&me, |this| this.back()));
        shell.on_home(callback_with(&me, |this, _ended: bool| {
            *this.state.borrow_mut() = FindState::default();
        }));
        shell.on_lang(callback_with(&me, |this, _lang: Lang| this.refresh()));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::FindInstitutions { kind }) => this.open_kind(kind),
            _ => false,
        });
        this
    }

    super::shell::with_global!(FindService);

    /// 找机构 on the home screen: which kind?
    fn open(&self) {
        *self.state.borrow_mut() = FindState {
            came_from: Some(Page::Home),
            ..FindState::default()
        };
        self.show_kinds();
        self.shell.show(Page::FindService);
    }

    /// From an outcome: the institutions of the catalogue's kind `kind`, when the directory
    /// holds that kind (false: the caller says where to ask instead).
    fn open_kind(&self, kind: &str) -> bool {
        let Some(kind) =
            InstitutionKind::parse(kind).filter(|k| self.directory.kinds().contains(k))
        else {
            return false;
        };
        *self.state.borrow_mut() = FindState {
            filter: Filter {
                kind: Some(kind),
                reach: Reach::City,
                ..Filter::default()
            },
            shown: None,
            came_from: Some(self.shell.page()),
        };
        self.show_list();
        self.shell.show(Page::FindService);
        true
    }

    fn step(&self) -> Option<FindStep> {
        self.shell
            .app()
            .map(|app| app.global::<FindService>().get_step())
    }

    fn back(&self) {
        let (came_from, from_kinds) = {
            let state = self.state.borrow();
            (state.came_from, state.came_from == Some(Page::Home))
        };
        match self.step() {
            Some(FindStep::Detail) => self.show_list(),
            Some(FindStep::List) if from_kinds => self.show_kinds(),
            _ => match came_from {
                Some(page) if page != Page::Home && page != Page::FindService => {
                    self.shell.show(page)
                }
                _ => self.shell.go_home(),
            },
        }
    }

    /// The language changed: the page on screen again in it.
    fn refresh(&self) {
        if self.shell.page() != Page::FindService {
            return;
        }
        match self.step() {
            Some(FindStep::Kinds) => self.show_kinds(),
            Some(FindStep::List) => self.show_list(),
            Some(FindStep::Detail) => {
                let shown = self.state.borrow().shown.clone();
                if let Some(id) = shown {
                    self.show_place(&id);
                }
            }
            None => {}
        }
    }

    fn show_kinds(&self) {
        let (lang, kinds) = (self.shell.lang(), self.directory.kinds());
        let available = self.directory.available();
        self.with(|g| show_kinds(g, &kinds, available, lang));
    }

    fn show_list(&self) {
        let lang = self.shell.lang();
        let filter = self.state.borrow().filter.clone();
        let list = PlaceList {
            places: self.directory.search(&filter, lang),
            filter,
            available: self.directory.available(),
            nearest_first: self.directory.knows_location(),
        };
        self.with(|g| show_list(g, &list, lang));
    }

    fn show_place(&self, id: &str) {
        let lang = self.shell.lang();
        let Some(place) = self.directory.find(id, lang) else {
            return;
        };
        self.state.borrow_mut().shown = Some(place.id.clone());
        let ready = slip_ready(self.printing.available());
        self.with(|g| show_place(g, &place, ready, lang));
        self.show_map(&place);
    }

    /// The map around `place`, when a map is installed and the place has coordinates.
    fn show_map(&self, place: &Place) {
        let shown = match place.location {
            Some(location) => {
                let installed = (self.maps)();
                let mut panel = self.map.borrow_mut();
                let open = panel.open(installed.as_ref());
                if open {
                    panel.center(location, self.directory.map_pins(place));
                }
                open
            }
            None => false,
        };
        if shown {
            self.draw_map();
        }
        self.with(|g| g.set_has_map(shown));
    }

    /// Renders the map and hands the picture to the page.
    fn draw_map(&self) {
        let picture = self.map.borrow_mut().picture();
        if let Some(image) = picture {
            self.with(|g| g.set_map(image));
        }
    }

    fn print_slip(&self) {
        let Some(id) = self.state.borrow().shown.clone() else {
            return;
        };
        self.with(|g| g.set_slip(SlipStage::Printing));
        let reply = self.shell.reply(&self.ui, |this: &Self, printed| {
            this.with(|g| g.set_slip(slip_stage(printed)));
        });
        self.directory.print_place(&id, reply);
    }
}

fn reach_label(reach: Reach, lang: Lang) -> &'static str {
    match reach {
        Reach::District => pick(lang, "本区县", "이 구·현", "This district"),
        Reach::City => pick(lang, "本市", "이 시", "This city"),
        Reach::Province => pick(lang, "全省", "성 전체", "Whole province"),
    }
}

/// A list entry: the name; distance, open now, free services; today's hours; the address.
fn result(place: &Place, lang: Lang) -> crate::ui::Choice {
    let mut detail = place.summary(lang);
    if let Some(today) = &place.today {
        if !detail.is_empty() {
            detail.push_str(" · ");
        }
        detail.push_str(today);
    }
    detail.push('\n');
    detail.push_str(&place.address);
    choice(place.id.as_str(), place.name.as_str(), detail)
}

/// The kinds page: every kind the directory holds, and "all".
pub fn show_kinds(g: &FindService<'_>, kinds: &[InstitutionKind], available: bool, lang: Lang) {
    let mut items = vec![choice(ALL_KINDS, all_kinds(lang), "")];
    items.extend(
        kinds
            .iter()
            .map(|k| choice(k.code(), kind_name(*k, lang), "")),
    );
    g.set_unavailable(!available);
    g.set_kinds(choices(items));
    g.set_step(FindStep::Kinds);
}

fn all_kinds(lang: Lang) -> &'static str {
    pick(lang, "全部机构", "모든 기관", "All institutions")
}

/// What the list page shows.
pub struct PlaceList {
    pub places: Vec<Place>,
    pub filter: Filter,
    /// A directory is installed.
    pub available: bool,
    /// The places are ordered from this terminal.
    pub nearest_first: bool,
}

pub fn show_list(g: &FindService<'_>, list: &PlaceList, lang: Lang) {
    let filter = &list.filter;
    let title = filter
        .kind
        .map_or(all_kinds(lang), |kind| kind_name(kind, lang));
    let reaches = Reach::ALL
        .into_iter()
        .map(|r| {
            let mut c = choice(r.id(), reach_label(r, lang), "");
            c.highlighted = r == filter.reach;
            c
        })
        .collect();
    g.set_unavailable(!list.available);
    g.set_list_title(title.into());
    g.set_reaches(choices(reaches));
    g.set_open_now(filter.open_now);
    g.set_free_only(filter.free_only);
    g.set_nearest_first(list.nearest_first);
    g.set_results(choices(
        list.places.iter().map(|p| result(p, lang)).collect(),
    ));
    g.set_step(FindStep::List);
}

/// The detail page of `place`.
pub fn show_place(g: &FindService<'_>, place: &Place, slip: SlipStage, lang: Lang) {
    let list = |items: &[String]| items.join(pick(lang, "、", ", ", ", "));
    g.set_name(place.name.as_str().into());
    g.set_kind_name(place.kind_name.as_str().into());
    g.set_address(place.address.as_str().into());
    g.set_phone(place.phone.clone().unwrap_or_default().into());
    g.set_distance(place.distance(lang).unwrap_or_default().into());
    g.set_today(place.today.clone().unwrap_or_default().into());
    g.set_open_today(place.open_now == Some(true));
    g.set_hours(place.hours.clone().unwrap_or_default().into());
    g.set_hours_note(place.hours_note.as_str().into());
    g.set_services(list(&place.services).into());
    g.set_free_services(list(&place.free_services).into());
    g.set_wheelchair(place.wheelchair.clone().unwrap_or_default().into());
    g.set_can_navigate(place.navigation.is_some());
    g.set_slip(slip);
    g.set_step(FindStep::Detail);
}
