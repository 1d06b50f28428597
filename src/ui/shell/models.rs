//! Small builders for the view's list models, shared by the controllers.

use slint::{ModelRc, SharedString, VecModel};

use crate::services::printing::PrintResult;
use crate::ui::{Choice, SlipStage};

/// A Slint list of choices.
pub fn choices(items: Vec<Choice>) -> ModelRc<Choice> {
    ModelRc::new(VecModel::from(items))
}

/// A choice button's content.
pub fn choice(
    id: impl Into<SharedString>,
    label: impl Into<SharedString>,
    detail: impl Into<SharedString>,
) -> Choice {
    Choice {
        id: id.into(),
        label: label.into(),
        detail: detail.into(),
        highlighted: false,
        disabled: false,
    }
}

/// A Slint list of texts.
pub fn strings<S: AsRef<str>>(items: &[S]) -> ModelRc<SharedString> {
    ModelRc::new(VecModel::from(
        items
            .iter()
            .map(|s| SharedString::from(s.as_ref()))
            .collect::<Vec<_>>(),
    ))
}

/// The slip stage to show before anything is printed: can the printer print?
pub fn slip_ready(printer_available: bool) -> SlipStage {
    if printer_available {
        SlipStage::Ready
    } else {
        SlipStage::Unavailable
    }
}

/// A guidance slip's stage once printing ended.
pub fn slip_stage(printed: PrintResult) -> SlipStage {
    match printed {
        PrintResult::Printed => SlipStage::Printed,
        PrintResult::Failed(_) => SlipStage::Failed,
        PrintResult::Unavailable => SlipStage::Unavailable,
    }
}
