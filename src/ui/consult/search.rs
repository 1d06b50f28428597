//! Search in the consultation: the on-screen keyboard and choosing a result.

use super::*;

impl ConsultController {
    pub(super) fn open_search(&self) {
        let lang = self.lang();
        // Korean readers get the Korean layout first; a key switches.
        self.state.borrow_mut().keyboard = Keyboard::new(lang == Lang::KoKr, MAX_QUERY_CHARS);
        self.with(|g| {
            g.set_chips(chips_model(lang));
            g.set_step(ConsultStep::Search);
        });
        self.type_on_keyboard(|_| {});
    }

    /// A key of the search keyboard: the typed text, the layout and the live results.
    pub(super) fn type_on_keyboard(&self, f: impl FnOnce(&mut Keyboard)) {
        let keyboard = {
            let mut state = self.state.borrow_mut();
            f(&mut state.keyboard);
            state.keyboard.clone()
        };
        let query = keyboard.text();
        let content = self.deps.content.current();
        let results = search_results(&content.search, &content.consultation, &query, self.lang());
        self.with(|g| {
            g.set_query(query.into());
            g.set_results(results);
            g.set_hangul(keyboard.hangul());
            g.set_shifted(keyboard.shifted());
        });
    }

    pub(super) fn choose_result(&self, id: &str) {
        if let Some(matter) = id.strip_prefix("matter:") {
            self.start_matter(matter, Via::Search);
        } else if let Some(category) = id.strip_prefix("category:") {
            self.choose_category(category, Via::Search);
        }
    }
}
