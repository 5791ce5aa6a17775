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

/// Opens the default sound device on a thread of its own. Returns `None` (after one log line)
/// when there is no device; never panics.
pub fn start_audio() -> Option<Sender<Sound>> {
    let (tx, rx) = channel::<Sound>();
    let (ready_tx, ready_rx) = channel::<bool>();
    let spawned = std::thread::Builder::new()
        .name("vitrin-audio".into())
        .spawn(move || {
            let opened = std::panic::catch_unwind(rodio::DeviceSinkBuilder::open_default_sink);
            let mut sink = match opened {
                Ok(Ok(sink)) => sink,
                Ok(Err(e)) => {
                    tracing::warn!("no sound: {e}; playing silently");
                    let _ = ready_tx.send(false);
                    return;
                }
                Err(_) => {
                    tracing::warn!("no sound: the audio system failed; playing silently");
                    let _ = ready_tx.send(false);
                    return;
                }
            };
            sink.log_on_drop(false);
            let _ = ready_tx.send(true);
            for sound in rx {
                match sound {
                    Sound::Click => sink.mixer().add(click()),
                }
            }
        });
    if spawned.is_err() {
        tracing::warn!("no sound: cannot start the audio thread; playing silently");
        return None;
    }
    match ready_rx.recv_timeout(Duration::from_secs(5)) {
        Ok(true) => Some(tx),
        Ok(false) => None,
        Err(_) => {
            tracing::warn!("no sound: the sound device did not answer; playing silently");
            None
        }
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
    let audio = if wanted { start_audio() } else { None };
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
    /// On a machine without a sound card (like CI) this returns `None` without panicking; on one
    /// with a card it returns a sender. Either way the player goes on.
    #[test]
    fn audio_degrades_to_silence_without_panicking() {
        let audio = super::start_audio();
        if let Some(tx) = audio {
            tx.send(super::Sound::Click).unwrap();
        }
    }
}
