//! Rendering a page to a PNG with the software renderer and no display: for documentation,
//! translators and layout checks (`legal-kiosk screenshot`), and for the tests that check
//! Chinese and Korean glyphs are really drawn.

use std::path::Path;
use std::rc::Rc;

use anyhow::{Context, Result, anyhow};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, ModelRc, PhysicalSize, PlatformError, Rgb8Pixel, VecModel};

use super::{
    AppWindow, Kiosk, MaintScreen, Maintenance, Nav, Page, PrinterView, Queue, ServiceEntry,
    TicketStage, TicketView,
};
use crate::domain::queue::Catalogue;
use crate::i18n::Lang;

/// A page that can be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShotPage {
    Home,
    Services,
    Ticket,
    /// The video call's privacy notice.
    VideoNotice,
    /// Waiting for a lawyer (third in line).
    VideoWaiting,
    /// In a call (sample pictures).
    VideoCall,
    /// Nobody answered: other ways to get help.
    VideoNoAnswer,
    /// The staff PIN pad (what the hidden gesture opens).
    PinPad,
    /// The staff maintenance menu.
    StaffMenu,
    /// The staff printer page.
    StaffPrinter,
    /// The staff kiosk page (out of service, citizen defaults).
    StaffKiosk,
    ConsultCategories,
    ConsultQuestion,
    ConsultOutcome,
    ConsultSearch,
    LegalAidIntro,
    LegalAidQuestion,
    LegalAidNumber,
    LegalAidResult,
    LegalAidConsent,
    RatingLevels,
    RatingReasons,
    /// 找机构: which kind of institution.
    FindKinds,
    /// The notary offices near the sample centre.
    FindList,
    /// One institution, with the slip to take along.
    FindDetail,
    /// The same institution with the offline map around it (a synthetic map: its tiles are
    /// drawn by the sample itself, a colour per tile).
    FindMap,
    /// 预约律师: the week (a full day, a closed day, a holiday).
    BookingDays,
    /// The half hours with places.
    BookingSlots,
    /// The phone number on the keypad.
    BookingPhone,
    /// Check and confirm.
    BookingConfirm,
    /// Booked: the code and the slip.
    BookingDone,
    /// The registry cannot be reached.
    BookingOffline,
}

/// An RGB picture of the screen.
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<Rgb8Pixel>,
}

impl Screenshot {
    pub fn pixel(&self, x: u32, y: u32) -> Rgb8Pixel {
        self.pixels[(y * self.width + x) as usize]
    }

    pub fn write_png(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        let bytes: Vec<u8> = self.pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        writer.write_image_data(&bytes)?;
        writer.finish()?;
        Ok(())
    }
}

struct OffscreenPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for OffscreenPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// A window that renders into memory. Creating it makes this thread's Slint platform an
/// offscreen one, so create one per thread, before any other Slint window.
pub struct Offscreen {
    window: Rc<MinimalSoftwareWindow>,
    pub app: AppWindow,
}

impl Offscreen {
    pub fn new(width: u32, height: u32) -> Result<Self> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(OffscreenPlatform {
            window: window.clone(),
        }))
        .map_err(|e| anyhow!("cannot set up offscreen rendering: {e}"))?;
        let app = AppWindow::new().context("cannot create the UI")?;
        window.set_size(PhysicalSize::new(width, height));
        app.show().context("cannot show the UI offscreen")?;
        Ok(Self { window, app })
    }

    /// Renders the current state of the UI.
    pub fn render(&self) -> Screenshot {
        let size = self.window.size();
        let (width, height) = (size.width, size.height);
        let mut pixels = vec![Rgb8Pixel::new(0, 0, 0); (width * height) as usize];
        self.window.request_redraw();
        self.window.draw_if_needed(|renderer| {
            renderer.render(&mut pixels, width as usize);
        });
        Screenshot {
            width,
            height,
            pixels,
        }
    }
}

/// Fills the UI with the sample data a screenshot shows: the real catalogue in `lang`, a
/// sample ticket, the configured centre name.
pub fn show_sample(app: &AppWindow, page: ShotPage, lang: Lang, centre_name: &str) -> Result<()> {
    slint::select_bundled_translation(lang.code())
        .map_err(|e| anyhow!("no translation for {}: {e}", lang.code()))?;
    let catalogue = Catalogue::built_in();
    let services: Vec<ServiceEntry> = catalogue
        .services()
        .iter()
        .enumerate()
        .map(|(i, s)| ServiceEntry {
            id: s.id.clone().into(),
            name: s.name.text(lang).into(),
            description: s.description.text(lang).into(),
            prefix: s.prefix.to_string().into(),
            waiting: i32::try_from(i % 4).unwrap_or(0),
        })
        .collect();
    let kiosk = app.global::<Kiosk>();
    kiosk.set_centre_name(centre_name.into());
    kiosk.set_language(lang.code().into());
    let sample_time =
        chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").context("sample time")?;
    kiosk.set_date_text(super::datetime::date_text(sample_time, lang).into());
    kiosk.set_time_text(super::datetime::time_text(sample_time).into());
    let queue = app.global::<Queue>();
    queue.set_services(ModelRc::new(VecModel::from(services)));
    let legal_aid = catalogue.get("legal-aid").context("legal-aid service")?;
    queue.set_ticket(TicketView {
        number: "B012".into(),
        service_name: legal_aid.name.text(lang).into(),
        people_ahead: 3,
        taken_at: "09:30".into(),
        stage: TicketStage::Printed,
        has_estimate: true,
        wait_low: 15,
        wait_high: 25,
        offline: false,
    });
    let staff = app.global::<Maintenance>();
    staff.set_staff_name("王芳".into());
    staff.set_installer(true);
    staff.set_pin_length(3);
    staff.set_printer(PrinterView {
        configured: true,
        known: true,
        online: true,
        near_end: true,
        ..Default::default()
    });
    staff.set_service_prefixes(ModelRc::new(VecModel::from(
        catalogue
            .services()
            .iter()
            .map(|s| slint::SharedString::from(s.prefix.to_string()))
            .collect::<Vec<_>>(),
    )));
    staff.set_reprint_number("B12".into());
    staff.set_default_language(lang.code().into());
    staff.set_idle_timeout_secs(60);
    let staff_screen = |screen| {
        staff.set_screen(screen);
        Page::Maintenance
    };
    super::guidance_shots::clear_guidance_sample(app);
    let video = app.global::<super::Video>();
    video.set_available(true);
    video.set_position(3);
    video.set_lawyers_online(2);
    video.set_remote(sample_picture(480, 360, [40, 70, 110]));
    video.set_preview(sample_picture(240, 180, [120, 90, 60]));
    video.set_stage(match page {
        ShotPage::VideoWaiting => super::VideoStage::Waiting,
        ShotPage::VideoCall => super::VideoStage::InCall,
        ShotPage::VideoNoAnswer => super::VideoStage::NoAnswer,
        _ => super::VideoStage::Notice,
    });
    app.global::<Nav>().set_page(match page {
        ShotPage::Home => Page::Home,
        ShotPage::Services => Page::Services,
        ShotPage::Ticket => Page::Ticket,
        ShotPage::VideoNotice
        | ShotPage::VideoWaiting
        | ShotPage::VideoCall
        | ShotPage::VideoNoAnswer => Page::Video,
        ShotPage::PinPad => staff_screen(MaintScreen::PinPad),
        ShotPage::StaffMenu => staff_screen(MaintScreen::Menu),
        ShotPage::StaffPrinter => staff_screen(MaintScreen::Printer),
        ShotPage::StaffKiosk => staff_screen(MaintScreen::Kiosk),
        ShotPage::BookingDays
        | ShotPage::BookingSlots
        | ShotPage::BookingPhone
        | ShotPage::BookingConfirm
        | ShotPage::BookingDone
        | ShotPage::BookingOffline => {
            super::booking::view::show_booking_sample(app, page, lang, centre_name)?
        }
        // The rest are the guidance pages, filled from the real content.
        guidance => super::guidance_shots::show_guidance_sample(app, guidance, lang)?,
    });
    Ok(())
}

/// A gradient standing in for a camera picture.
fn sample_picture(width: u32, height: u32, base: [u8; 3]) -> slint::Image {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::new(width, height);
    for (i, pixel) in buffer.make_mut_slice().iter_mut().enumerate() {
        let y = u8::try_from((i as u32 / width) * 120 / height).unwrap_or(0);
        *pixel = slint::Rgba8Pixel {
            r: base[0].saturating_add(y),
            g: base[1].saturating_add(y),
            b: base[2].saturating_add(y),
            a: 255,
        };
    }
    slint::Image::from_rgba8(buffer)
}

/// `legal-kiosk screenshot`: renders `page` in `lang` at `width`×`height` into `out`.
pub fn screenshot_to_file(
    page: ShotPage,
    lang: Lang,
    (width, height): (u32, u32),
    centre_name: &str,
    out: &Path,
) -> Result<()> {
    let offscreen = Offscreen::new(width, height)?;
    show_sample(&offscreen.app, page, lang, centre_name)?;
    offscreen.render().write_png(out)
}
