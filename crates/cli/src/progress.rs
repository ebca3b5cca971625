//! A terminal progress bar for long imports; silent when output is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(label: &'static str) -> Self {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                .expect("static template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(label);
        Self(bar)
    }
}

impl candour_cqc::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.0.set_length(total);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
