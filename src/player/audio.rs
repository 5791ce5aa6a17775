//! Sounds, if the screen config asks for them: a soft click when a visitor touches a kiosk, and a
//! slide's chime when it comes on screen, at the screen's volume and never in its quiet hours
//! ([`crate::sound::schedule`]). Every sound scheduled is written down ([`SoundLog`]), whether
//! or not there is a device to play it on. Audio lives on its own thread, which owns the sound
//! device; where there is no sound card it logs one line and the player stays silent. It never
//! fails the player.

use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use bevy::prelude::*;

use super::compositor::Compositor;
use super::input::Touched;
use super::page::PageView;
use super::sequence::Sequencer;
use super::{Now, Screen, WallClock};
use crate::calendar::clock::TimeOfDay;
use crate::playlist::Chime;
use crate::sound::{Cue, Scheduled, Settings, schedule};

/// Sends sounds to the audio thread; `None` when the player is silent.
#[derive(Resource, Debug, Default)]
pub struct Audio(Option<Sender<Sound>>);

/// What to play, and how loud (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sound {
    pub cue: Cue,
    pub gain: f32,
}

/// The sounds scheduled since start (the last [`SOUND_LOG`]), with the local time of day.
#[derive(Resource, Debug, Default)]
pub struct SoundLog(pub Vec<(String, Scheduled)>);

/// How many scheduled sounds [`SoundLog`] keeps.
pub const SOUND_LOG: usize = 64;

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
            for Sound { cue, gain } in rx {
                use rodio::Source;
                match cue {
                    Cue::Click => sink.mixer().add(click().amplify(gain)),
                    Cue::Chime(chime) => sink.mixer().add(self::chime(chime).amplify(gain)),
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

/// A bell: a tone with two overtones, dying away.
fn bell(hz: f32, seconds: f32) -> impl rodio::Source + Send + 'static {
    use rodio::Source;
    let partial = |f: f32, amp: f32| {
        rodio::source::SineWave::new(f)
            .take_duration(Duration::from_secs_f32(seconds))
            .fade_out(Duration::from_secs_f32(seconds))
            .amplify(amp)
    };
    partial(hz, 0.16)
        .mix(partial(hz * 2.0, 0.06))
        .mix(partial(hz * 3.0, 0.03))
}

/// A slide's chime.
fn chime(chime: Chime) -> Box<dyn rodio::Source + Send + 'static> {
    use rodio::Source;
    match chime {
        Chime::Ding => Box::new(bell(880.0, 1.4)),
        Chime::Dingdong => {
            Box::new(bell(659.3, 0.9).mix(bell(523.3, 1.4).delay(Duration::from_millis(450))))
        }
    }
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
        .init_resource::<SoundLog>()
        .add_systems(Update, (click_on_touch, chime_on_page));
}

/// Schedules a sound: written down, and played if the screen has a device.
fn play(
    cue: Cue,
    screen: &Screen,
    wall: chrono::DateTime<chrono::Utc>,
    audio: &Audio,
    log: &mut SoundLog,
) {
    use chrono::Timelike;
    let local = wall.with_timezone(&screen.0.timezone);
    let at = TimeOfDay::hm(local.hour() as u16, local.minute() as u16);
    let Some(scheduled) = schedule(&Settings::of(&screen.0), cue, at) else {
        return;
    };
    if log.0.len() == SOUND_LOG {
        log.0.remove(0);
    }
    log.0
        .push((local.format("%H:%M:%S").to_string(), scheduled));
    if let Some(tx) = &audio.0 {
        let _ = tx.send(Sound {
            cue,
            gain: scheduled.gain,
        });
    }
}

/// The time the schedule runs on; tests without a player take the real time.
#[derive(bevy::ecs::system::SystemParam)]
struct Clock<'w> {
    wall: Option<Res<'w, WallClock>>,
    now: Option<Res<'w, Now>>,
}

impl Clock<'_> {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match (&self.wall, &self.now) {
            (Some(w), Some(n)) => w.now(n),
            _ => chrono::Utc::now(),
        }
    }
}

fn click_on_touch(
    mut touched: MessageReader<Touched>,
    audio: Res<Audio>,
    screen: Res<Screen>,
    clock: Clock,
    mut log: ResMut<SoundLog>,
) {
    if touched.read().count() > 0 {
        play(Cue::Click, &screen, clock.now(), &audio, &mut log);
    }
}

/// A slide's chime, when its first page comes on screen.
fn chime_on_page(
    seq: Option<Res<Sequencer>>,
    compositor: Option<Res<Compositor>>,
    views: Query<&PageView>,
    audio: Res<Audio>,
    screen: Res<Screen>,
    clock: Clock,
    mut log: ResMut<SoundLog>,
    mut last: Local<u64>,
) {
    let Some(seq) = seq else { return };
    if seq.shown == *last {
        return;
    }
    *last = seq.shown;
    let page = compositor
        .and_then(|c| c.on_screen())
        .and_then(|e| views.get(e).ok());
    if let Some(chime) = page.and_then(|v| v.page.chime) {
        play(Cue::Chime(chime), &screen, clock.now(), &audio, &mut log);
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
                tx.send(Sound {
                    cue: Cue::Click,
                    gain: 1.0
                })
                .is_ok(),
                "the audio thread stopped after the clicks"
            );
        }
    }

    #[test]
    fn a_screen_without_sound_never_opens_the_device() {
        let app = kiosk(false);
        assert!(app.world().resource::<Audio>().0.is_none());
        assert!(app.world().resource::<SoundLog>().0.is_empty());
    }

    /// The clicks of three touches are scheduled at the screen's volume, with or without a device.
    #[test]
    fn touches_schedule_clicks_at_the_volume() {
        let app = kiosk(true);
        let log = &app.world().resource::<SoundLog>().0;
        assert_eq!(log.len(), 3);
        assert!(
            log.iter()
                .all(|(_, s)| s.cue == Cue::Click && s.gain == 1.0)
        );
    }
}
