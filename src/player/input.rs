//! Hands and keys. On a touch screen (and in a preview window, where the mouse behaves as one
//! finger) every finger from bevy's input pipeline goes to the core's gesture reader
//! ([`crate::touch::Gestures`]), and each gesture becomes what the visitor meant
//! ([`crate::touch::intent`]) given what is on screen. Other screens ignore pointers; the arrow keys
//! page for staff everywhere, and Ctrl+Shift+I opens the staff overlay.

use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::compositor::Compositor;
use super::page::PageView;
use super::sequence::Sequencer;
use super::{FrameSize, Now, PlayerSystems};
use crate::show::Direction;
use crate::touch::{Gesture, Gestures, Intent, Point, Situation};

/// A visitor touched the screen (for the click sound, and to hold the show).
#[derive(Message, Debug, Clone, Copy)]
pub struct Touched;

/// What a visitor (or staff) meant, for the sequencer to carry out.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intended(pub Intent);

/// The fingers on the glass.
#[derive(Resource, Debug)]
pub struct Hands(pub Gestures);

/// The mouse is one more finger, with an id no touch screen uses.
const MOUSE: u64 = u64::MAX;

pub(super) fn plugin(app: &mut App) {
    let mm = app.world().resource::<FrameSize>().mm_per_px();
    app.insert_resource(Hands(Gestures::new(mm)))
        .add_message::<Touched>()
        .add_message::<Intended>()
        .add_systems(Update, (fingers, keys).chain().in_set(PlayerSystems::Input));
}

/// A window's logical position in physical pixels, which pages and the bar are laid out in.
fn physical(p: Vec2, scale_factor: f32) -> Point {
    Point::new(p.x * scale_factor, p.y * scale_factor)
}

/// Reads fingers and the mouse into gestures, and gestures into intents.
#[allow(clippy::too_many_arguments)]
fn fingers(
    mut touches: MessageReader<TouchInput>,
    mouse: Res<ButtonInput<MouseButton>>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    size: Res<FrameSize>,
    now: Res<Now>,
    mut hands: ResMut<Hands>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    views: Query<&PageView>,
    mut intended: MessageWriter<Intended>,
    mut touched: MessageWriter<Touched>,
) {
    if !size.touch {
        touches.clear();
        return;
    }
    let now = now.0;
    let scale_factor = window.as_ref().map_or(1.0, |w| w.scale_factor());
    let mut gestures = Vec::new();
    for t in touches.read() {
        let at = physical(t.position, scale_factor);
        match t.phase {
            TouchPhase::Started => {
                hands.0.press(t.id, at, now);
                touched.write(Touched);
            }
            TouchPhase::Moved => hands.0.moved(t.id, at),
            TouchPhase::Ended => gestures.extend(hands.0.release(t.id, at, now)),
            TouchPhase::Canceled => hands.0.cancel(t.id),
        }
    }
    // A quick click presses and releases within one frame.
    match window.as_ref().and_then(|w| w.cursor_position()) {
        Some(cursor) => {
            let at = physical(cursor, scale_factor);
            if mouse.just_pressed(MouseButton::Left) {
                hands.0.press(MOUSE, at, now);
                touched.write(Touched);
            }
            if mouse.just_released(MouseButton::Left) {
                gestures.extend(hands.0.release(MOUSE, at, now));
            } else if mouse.pressed(MouseButton::Left) {
                hands.0.moved(MOUSE, at);
            }
        }
        // Released outside the window: it did nothing.
        None if mouse.just_released(MouseButton::Left) => hands.0.cancel(MOUSE),
        None => {}
    }
    gestures.extend(hands.0.poll(now));
    if gestures.is_empty() {
        return;
    }
    let Some(bar) = size.bar() else { return };
    let targets = compositor
        .on_screen()
        .and_then(|page| views.get(page).ok())
        .map(|v| v.targets.as_slice())
        .unwrap_or_default();
    let situation = Situation {
        width: size.width as f32,
        height: size.height as f32,
        bar: &bar,
        targets,
        aside: seq.order.aside().is_some(),
        paused: seq.order.is_paused(),
        mm_per_px: size.mm_per_px(),
    };
    for g in gestures {
        let intent = crate::touch::intent(g, &situation);
        if !matches!(g, Gesture::LongPress(_)) || intent == Intent::Staff {
            tracing::debug!(?g, ?intent, "touch");
            intended.write(Intended(intent));
        }
    }
}

fn keys(keys: Res<ButtonInput<KeyCode>>, mut intended: MessageWriter<Intended>) {
    let ctrl = keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight]);
    let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
    if ctrl && shift && keys.just_pressed(KeyCode::KeyI) {
        intended.write(Intended(Intent::Staff));
    } else if keys.any_just_pressed([KeyCode::ArrowRight, KeyCode::PageDown, KeyCode::Space]) {
        intended.write(Intended(Intent::Navigate(Direction::Forward)));
    } else if keys.any_just_pressed([KeyCode::ArrowLeft, KeyCode::PageUp]) {
        intended.write(Intended(Intent::Navigate(Direction::Back)));
    }
}
