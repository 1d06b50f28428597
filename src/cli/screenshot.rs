use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::config::Config;
use crate::i18n::Lang;
use crate::ui::screenshot::{ShotPage, screenshot_to_file};

#[derive(Debug, Args)]
pub struct ScreenshotArgs {
    /// Which page to render.
    #[arg(long, value_enum, default_value = "home")]
    page: ShotPage,
    /// Language: zh_CN, ko_KR or en.
    #[arg(long, default_value = "zh_CN")]
    lang: String,
    /// Size in pixels, WIDTHxHEIGHT; 1080x1920 is the usual portrait kiosk panel.
    #[arg(long, default_value = "1080x1920")]
    size: String,
    /// The PNG file to write.
    file: PathBuf,
}

pub fn screenshot(config: Option<&Path>, args: &ScreenshotArgs) -> Result<()> {
    let config = Config::load(config)?;
    let Some(lang) = Lang::from_code(&args.lang) else {
        bail!("unknown language {:?}: use zh_CN, ko_KR or en", args.lang);
    };
    let size = parse_size(&args.size)?;
    screenshot_to_file(args.page, lang, size, &config.kiosk.centre_name, &args.file)?;
    println!("wrote {}", args.file.display());
    Ok(())
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .with_context(|| format!("size {text:?} must look like 1080x1920"))?;
    let parse = |s: &str| -> Result<u32> {
        let v: u32 = s
            .trim()
            .parse()
            .with_context(|| format!("size {text:?} must look like 1080x1920"))?;
        if !(200..=8000).contains(&v) {
            bail!("size {text:?}: each side must be between 200 and 8000 pixels");
        }
        Ok(v)
    };
    Ok((parse(w)?, parse(h)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_parse_and_nonsense_is_refused() {
        assert_eq!(super::parse_size("1080x1920").unwrap(), (1080, 1920));
        assert_eq!(super::parse_size("1920X1080").unwrap(), (1920, 1080));
        assert!(super::parse_size("big").is_err());
        assert!(super::parse_size("10x10").is_err());
    }
}
