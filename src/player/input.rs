//! Visitors' input on touch kiosks: swipe or tap right for the next page, left for the one
//! before. Mouse clicks do the same in a preview window, and the arrow keys for staff. After a
//! touch the page stays for the screen's `touch_timeout`, then the show runs by itself again.

use bevy::prelude::*;

use super::PlayerSystems;
use super::compositor::ScreenRoot;
use super::sequence::Navigate;
use crate::show::Direction;

/// Whether pointer input navigates: on touch kiosks and in preview windows.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointerNavigation(pub bool);

/// A visitor touched the screen (for the click sound).
#[derive(Message, Debug, Clone, Copy)]
pub struct Touched;

/// Where the last press started, to tell a tap from a swipe.
#[derive(Resource, Debug, Default)]
struct PressAt(Option<Vec2>);

/// How far a finger must travel, in logical pixels, for a swipe.
const SWIPE_DISTANCE: f32 = 80.0;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PressAt>()
        .add_message::<Touched>()
        .add_systems(PostStartup, attach_observers)
        .add_systems(Update, keys.in_set(PlayerSystems::Input));
    if !app.world().contains_resource::<PointerNavigation>() {
        app.insert_resource(PointerNavigation(false));
    }
}

fn attach_observers(mut commands: Commands, root: Single<Entity, With<ScreenRoot>>) {
    commands
        .entity(*root)
        .observe(on_press)
        .observe(on_click)
        .observe(on_drag_end);
}

fn on_press(press: On<Pointer<Press>>, mut at: ResMut<PressAt>) {
    at.0 = Some(press.pointer_location.position);
}

fn on_click(
    click: On<Pointer<Click>>,
    enabled: Res<PointerNavigation>,
    at: Res<PressAt>,
    window: Option<Single<&Window>>,
    mut navigate: MessageWriter<Navigate>,
    mut touched: MessageWriter<Touched>,
) {
    if !enabled.0 {
        return;
    }
    let position = click.pointer_location.position;
    // A swipe ends in a click too: only a press that stayed put is a tap.
    if at
        .0
        .is_some_and(|p| p.distance(position) > SWIPE_DISTANCE / 2.0)
    {
        return;
    }
    let width = window.map_or(1920.0, |w| w.width());
    let direction = if position.x < width * 0.3 {
        Direction::Back
    } else {
        Direction::Forward
    };
    navigate.write(Navigate(direction));
    touched.write(Touched);
}

fn on_drag_end(
    drag: On<Pointer<DragEnd>>,
    enabled: Res<PointerNavigation>,
    mut navigate: MessageWriter<Navigate>,
    mut touched: MessageWriter<Touched>,
) {
    if !enabled.0 {
        return;
    }
    let d = drag.distance;
    if d.x.abs() >= SWIPE_DISTANCE && d.x.abs() > 1.5 * d.y.abs() {
        // Swiping left pulls in the next page.
        let direction = if d.x < 0.0 {
            Direction::Forward
        } else {
            Direction::Back
        };
        navigate.write(Navigate(direction));
        touched.write(Touched);
    }
}

fn keys(keys: Res<ButtonInput<KeyCode>>, mut navigate: MessageWriter<Navigate>) {
    if keys.any_just_pressed([KeyCode::ArrowRight, KeyCode::PageDown, KeyCode::Space]) {
        navigate.write(Navigate(Direction::Forward));
    } else if keys.any_just_pressed([KeyCode::ArrowLeft, KeyCode::PageUp]) {
        navigate.write(Navigate(Direction::Back));
    }
}
