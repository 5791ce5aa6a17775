//! A soft click when a visitor touches a kiosk, if the screen config asks for sound. Audio lives
//! on its own thread, which owns the sound device; where there is no sound card it logs one line
//! and the player stays silent. It never fails the player.

use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use bevy::prelude::*;

use super::Screen;
use super::input::Touched;

/// Sends sounds to the audio thread; `None` when the player is silent.
#[derive(Resource, Debug, Default)]
pub struct Audio(Option<Sender<Sound>>);

/// What to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    Click,
}

/// Why the player is silent.
#[derive(Debug, thiserror::Error)]
pub enum NoSound {
    /// No sound device could be opened.
    #[error(transparent)]
    Device(rodio::DeviceSinkError),
    /// The audio system panicked while opening the device.
    #[error("the audio system failed")]
    Panicked,
    #[error("cannot start the audio thread")]
    NoThread(#[source] std::io::Error),
    #[error("the sound device did not answer")]
    NoAnswer,
}

/// Opens the default sound device on a thread of its own. Where there is no device it says why
/// instead; it never panics.
pub fn start_audio() -> Result<Sender<Sound>, NoSound> {
    start_audio_with(rodio::DeviceSinkBuilder::open_default_sink)
}

/// [`start_audio`] with the device opened by `open`, on the audio thread.
fn start_audio_with(
    open: impl FnOnce() -> Result<rodio::MixerDeviceSink, rodio::DeviceSinkError>
    + Send
    + std::panic::UnwindSafe
    + 'static,
) -> Result<Sender<Sound>, NoSound> {
    let (tx, rx) = channel::<Sound>();
    let (ready_tx, ready_rx) = channel::<Result<(), NoSound>>();
    std::thread::Builder::new()
        .name("vitrin-audio".into())
        .spawn(move || {
            let mut sink = match std::panic::catch_unwind(open) {
                Ok(Ok(sink)) => sink,
                Ok(Err(e)) => {
                    let _ = ready_tx.send(Err(NoSound::Device(e)));
                    return;
                }
                Err(_) => {
                    let _ = ready_tx.send(Err(NoSound::Panicked));
                    return;
                }
            };
            sink.log_on_drop(false);
            let _ = ready_tx.send(Ok(()));
            for sound in rx {
                match sound {
                    Sound::Click => sink.mixer().add(click()),
                }
            }
        })
        .map_err(NoSound::NoThread)?;
    match ready_rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(())) => Ok(tx),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(NoSound::NoAnswer),
    }
}

/// A short, soft two-tone click.
fn click() -> impl rodio::Source + Send + 'static {
    use rodio::Source;
    let tone = |hz: f32, ms: u64| {
        rodio::source::SineWave::new(hz)
            .take_duration(Duration::from_millis(ms))
            .fade_out(Duration::from_millis(ms))
            .amplify(0.12)
    };
    tone(1320.0, 35).mix(tone(880.0, 60))
}

pub(super) fn plugin(app: &mut App) {
    let wanted = app.world().resource::<Screen>().0.sound;
    let audio = if wanted {
        start_audio()
            .inspect_err(|e| tracing::warn!("no sound: {e}; playing silently"))
            .ok()
    } else {
        None
    };
    app.insert_resource(Audio(audio))
        .add_systems(Update, click_on_touch.run_if(on_message::<Touched>));
}

fn click_on_touch(mut touched: MessageReader<Touched>, audio: Res<Audio>) {
    touched.clear();
    if let Some(tx) = &audio.0 {
        let _ = tx.send(Sound::Click);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::ScreenConfig;

    #[test]
    fn without_a_sound_device_the_player_is_silent() {
        let got = start_audio_with(|| Err(rodio::DeviceSinkError::NoDevice));
        assert!(
            matches!(got, Err(NoSound::Device(rodio::DeviceSinkError::NoDevice))),
            "{got:?}"
        );
    }

    #[test]
    fn an_audio_system_that_panics_leaves_the_player_silent() {
        let got = start_audio_with(|| panic!("the sound server went away"));
        assert!(matches!(got, Err(NoSound::Panicked)), "{got:?}");
    }

    /// The audio of a screen on this machine, whatever its sound hardware (CI has none), after
    /// three touches.
    fn kiosk(sound: bool) -> App {
        let mut app = App::new();
        app.insert_resource(Screen(ScreenConfig {
            sound,
            ..Default::default()
        }))
        .add_message::<Touched>();
        plugin(&mut app);
        for _ in 0..3 {
            app.world_mut().write_message(Touched);
            app.update();
        }
        app
    }

    /// With or without a sound card the app keeps running: silent, or with a live audio thread.
    #[test]
    fn a_kiosk_with_sound_keeps_running_with_or_without_a_sound_card() {
        let app = kiosk(true);
        if let Some(tx) = &app.world().resource::<Audio>().0 {
            assert!(
                tx.send(Sound::Click).is_ok(),
                "the audio thread stopped after the clicks"
            );
        }
    }

    #[test]
    fn a_screen_without_sound_never_opens_the_device() {
        let app = kiosk(false);
        assert!(app.world().resource::<Audio>().0.is_none());
    }
}
