//! What a touch screen shows besides its pages: the touch bar under them (back, pause/play or
//! close, forward, and a hint that fades while a visitor uses the screen) and the staff overlay
//! (what the screen plays and why, opened by a long press in a corner or Ctrl+Shift+I, closing by
//! itself). Where everything goes, and what each touch means, is the core's ([`crate::touch`]);
//! this draws it and keeps it up to date.

use std::collections::HashMap;

use bevy::prelude::*;
use bevy::text::LineHeight;
use bevy::window::PrimaryWindow;

use super::compositor::{Compositor, ScreenRoot};
use super::fonts::Fonts;
use super::input::{Intended, Touched};
use super::page::PageView;
use super::sequence::Sequencer;
use super::workers::{ContentSince, CurrentLibrary};
use super::{FrameSize, Now, PlayerSystems, Screen, WallClock};
use crate::layout::Rect;
use crate::touch::icons::Icon;
use crate::touch::{Intent, hint};
use crate::typeset::{self, Face, LINE_HEIGHT, Spec};

/// The bar's own colour: a shade darker than the brand's background.
const BAR_BACKGROUND: Color = Color::srgb(0.05, 0.07, 0.11);
/// The controls' faces.
const CONTROL_BACKGROUND: Color = Color::srgba(1.0, 1.0, 1.0, 0.16);
/// How long the hint takes to fade out or in, in seconds.
pub const HINT_FADE_SECONDS: f64 = 0.5;
/// The staff overlay closes by itself after this long, in seconds.
pub const STAFF_SECONDS: f64 = 20.0;

/// What the middle control does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Middle {
    Pause,
    Play,
    Close,
}

impl Middle {
    fn icon(self) -> Icon {
        match self {
            Middle::Pause => Icon::Pause,
            Middle::Play => Icon::Play,
            Middle::Close => Icon::Close,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Middle::Pause => "Pausa",
            Middle::Play => "Spela",
            Middle::Close => "Stäng",
        }
    }
}

/// The touch bar's state, for the bar's systems and for tests.
#[derive(Resource, Debug, Default)]
pub struct TouchBar {
    /// The frame size the bar was built for.
    built_for: Option<(u32, u32)>,
    pub middle: Option<Middle>,
    pub hint: String,
    /// How visible the hint is (0 to 1), and where it is going.
    pub hint_alpha: f32,
    hint_target: f32,
    last_step: Option<f64>,
    icons: HashMap<Icon, Handle<Image>>,
    /// While the staff overlay is open: when it closes.
    pub staff_until: Option<f64>,
}

impl TouchBar {
    /// When the bar needs a frame next: while the hint fades, at once; else when the staff
    /// overlay closes.
    pub fn wake_at(&self, now: f64) -> Option<f64> {
        if (self.hint_alpha - self.hint_target).abs() > f32::EPSILON {
            return Some(now);
        }
        self.staff_until
    }
}

#[derive(Component)]
struct BarRoot;
#[derive(Component)]
struct ArrowControl;
#[derive(Component)]
struct MiddleIcon;
#[derive(Component)]
struct MiddleLabel;
#[derive(Component)]
struct HintBox;
#[derive(Component)]
struct HintLine;
#[derive(Component)]
struct StaffPanel;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<TouchBar>().add_systems(
        Update,
        (build_bar, update_bar, staff_overlay)
            .chain()
            .in_set(PlayerSystems::Composite),
    );
}

fn logical(r: Rect, origin_y: f32, scale_factor: f32) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: px(r.x / scale_factor),
        top: px((r.y - origin_y) / scale_factor),
        width: px(r.w / scale_factor),
        height: px(r.h / scale_factor),
        ..default()
    }
}

fn scale_factor(window: &Option<Single<&Window, With<PrimaryWindow>>>) -> f32 {
    window.as_ref().map_or(1.0, |w| w.scale_factor())
}

/// Builds the bar for the frame's size (again when the size changes).
#[allow(clippy::too_many_arguments)]
fn build_bar(
    mut commands: Commands,
    size: Res<FrameSize>,
    mut state: ResMut<TouchBar>,
    root: Single<Entity, With<ScreenRoot>>,
    old: Query<Entity, With<BarRoot>>,
    mut images: ResMut<Assets<Image>>,
    fonts: Res<Fonts>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
) {
    let Some(bar) = size.bar() else { return };
    if state.built_for == Some((size.width, size.height)) {
        return;
    }
    state.built_for = Some((size.width, size.height));
    for e in &old {
        commands.entity(e).despawn();
    }
    let sf = scale_factor(&window);
    let icon_side = (bar.back.h * 0.62).round();
    for icon in [
        Icon::Back,
        Icon::Forward,
        Icon::Pause,
        Icon::Play,
        Icon::Close,
    ] {
        let image = super::page::ui_image(&icon.draw(icon_side as u32));
        if let Some(old) = state.icons.insert(icon, images.add(image)) {
            images.remove(&old);
        }
    }
    let page_share = size.page_height() as f32 / size.height.max(1) as f32;
    let bar_root = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(0),
                top: percent(100.0 * page_share),
                width: percent(100),
                height: percent(100.0 * (1.0 - page_share)),
                ..default()
            },
            BackgroundColor(BAR_BACKGROUND),
            ZIndex(5),
            BarRoot,
            Pickable::IGNORE,
        ))
        .id();
    commands.entity(*root).add_child(bar_root);
    let y0 = bar.rect.y;
    let radius = BorderRadius::all(px(bar.back.h / sf * 0.22));
    let icon_node = |r: Rect| {
        let side = icon_side / sf;
        Node {
            position_type: PositionType::Absolute,
            left: px(((r.w - icon_side) / 2.0 / sf).round()),
            top: px(((r.h - icon_side) / 2.0 / sf).round()),
            width: px(side),
            height: px(side),
            ..default()
        }
    };
    for (r, icon) in [(bar.back, Icon::Back), (bar.forward, Icon::Forward)] {
        let button = commands
            .spawn((
                Node {
                    border_radius: radius,
                    ..logical(r, y0, sf)
                },
                BackgroundColor(CONTROL_BACKGROUND),
                ArrowControl,
                Pickable::IGNORE,
            ))
            .with_child((
                icon_node(r),
                ImageNode::new(state.icons[&icon].clone()),
                Pickable::IGNORE,
            ))
            .id();
        commands.entity(bar_root).add_child(button);
    }
    // The middle control: its icon on the left, its word beside it.
    let m = bar.middle;
    let icon_at = Rect::new(0.0, 0.0, m.h, m.h);
    let middle = commands
        .spawn((
            Node {
                border_radius: radius,
                ..logical(m, y0, sf)
            },
            BackgroundColor(CONTROL_BACKGROUND),
            Pickable::IGNORE,
        ))
        .with_child((
            Node {
                left: px(((m.h * 0.25 + (m.h - icon_side) / 2.0) / sf).round()),
                ..icon_node(icon_at)
            },
            ImageNode::new(state.icons[&Icon::Pause].clone()),
            MiddleIcon,
            Pickable::IGNORE,
        ))
        .with_child((
            Node {
                position_type: PositionType::Absolute,
                left: px((m.h * 1.2 / sf).round()),
                top: px(((m.h - bar.text * LINE_HEIGHT) / 2.0 / sf).round()),
                ..default()
            },
            Text::new(Middle::Pause.label()),
            TextFont {
                font: fonts.face(Face::SemiBold).into(),
                font_size: FontSize::Px(bar.text / sf),
                ..default()
            },
            LineHeight::RelativeToFont(LINE_HEIGHT),
            TextColor(Color::WHITE),
            TextLayout::new(Justify::Left, LineBreak::NoWrap),
            MiddleLabel,
            Pickable::IGNORE,
        ))
        .id();
    commands.entity(bar_root).add_child(middle);
    let hint = commands
        .spawn((logical(bar.hint, y0, sf), HintBox, Pickable::IGNORE))
        .id();
    commands.entity(bar_root).add_child(hint);
    state.middle = Some(Middle::Pause);
    state.hint.clear();
    state.hint_alpha = 1.0;
    state.hint_target = 1.0;
}

/// Keeps the bar true to the show: the middle control, the arrows, the hint and its fading.
#[allow(clippy::too_many_arguments)]
fn update_bar(
    mut commands: Commands,
    size: Res<FrameSize>,
    mut state: ResMut<TouchBar>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    views: Query<&PageView>,
    now: Res<Now>,
    fonts: Res<Fonts>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    mut icons: Query<&mut ImageNode, With<MiddleIcon>>,
    mut labels: Query<&mut Text, With<MiddleLabel>>,
    mut arrows: Query<&mut Visibility, With<ArrowControl>>,
    hint_box: Query<Entity, With<HintBox>>,
    mut hint_lines: Query<&mut TextColor, With<HintLine>>,
) {
    let Some(bar) = size.bar() else { return };
    let now = now.0;
    let order = &seq.order;
    let middle = if order.aside().is_some() {
        Middle::Close
    } else if order.is_paused() {
        Middle::Play
    } else {
        Middle::Pause
    };
    if state.middle != Some(middle) {
        state.middle = Some(middle);
        if let Some(handle) = state.icons.get(&middle.icon()).cloned() {
            for mut icon in &mut icons {
                icon.image = handle.clone();
            }
        }
        for mut label in &mut labels {
            label.0 = middle.label().to_string();
        }
        let shown = if middle == Middle::Close {
            Visibility::Hidden
        } else {
            Visibility::Inherited
        };
        for mut v in &mut arrows {
            *v = shown;
        }
    }
    // The hint names what the page on screen offers.
    let page = compositor.on_screen().and_then(|e| views.get(e).ok());
    let text = page.map_or("", |v| hint(&v.page.content));
    if text != state.hint
        && let Ok(hint_box) = hint_box.single()
    {
        state.hint = text.to_string();
        commands.entity(hint_box).despawn_children();
        let sf = scale_factor(&window);
        let setting = typeset::set(&Spec {
            text,
            face: Face::Regular,
            width: bar.hint.w,
            height: bar.hint.h,
            max_lines: 2,
            size: bar.text,
            floor: (bar.text * 0.75).round(),
        });
        let top = (bar.hint.h - setting.height()) / 2.0;
        let lh = setting.line_height();
        for (i, line) in setting.lines.iter().enumerate() {
            let child = commands
                .spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(0),
                        top: px(((top + i as f32 * lh) / sf).round()),
                        ..default()
                    },
                    Text::new(line.text.clone()),
                    TextFont {
                        font: fonts.face(Face::Regular).into(),
                        font_size: FontSize::Px(setting.size / sf),
                        ..default()
                    },
                    LineHeight::RelativeToFont(LINE_HEIGHT),
                    TextColor(Color::WHITE.with_alpha(state.hint_alpha * 0.85)),
                    TextLayout::new(Justify::Left, LineBreak::NoWrap),
                    HintLine,
                    Pickable::IGNORE,
                ))
                .id();
            commands.entity(hint_box).add_child(child);
        }
    }
    // The hint steps aside while a visitor uses the screen, and says how to scan an open code.
    state.hint_target = if !order.in_visit() || order.aside_on_screen() {
        1.0
    } else {
        0.0
    };
    let dt = state.last_step.map_or(0.0, |t| (now - t).max(0.0));
    state.last_step = Some(now);
    if state.hint_alpha != state.hint_target {
        let step = (dt / HINT_FADE_SECONDS) as f32;
        state.hint_alpha = if state.hint_target > state.hint_alpha {
            (state.hint_alpha + step).min(state.hint_target)
        } else {
            (state.hint_alpha - step).max(state.hint_target)
        };
        for mut c in &mut hint_lines {
            c.0 = Color::WHITE.with_alpha(state.hint_alpha * 0.85);
        }
    }
}

/// The staff overlay: opened by [`Intent::Staff`], closed by the next touch or after
/// [`STAFF_SECONDS`].
#[allow(clippy::too_many_arguments)]
fn staff_overlay(
    mut commands: Commands,
    mut intents: MessageReader<Intended>,
    mut touches: MessageReader<Touched>,
    mut state: ResMut<TouchBar>,
    panels: Query<Entity, With<StaffPanel>>,
    root: Single<Entity, With<ScreenRoot>>,
    now: Res<Now>,
    info: StaffInfo,
    fonts: Res<Fonts>,
    size: Res<FrameSize>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
) {
    let now = now.0;
    let asked = intents.read().any(|i| i.0 == Intent::Staff);
    let touched = touches.read().count() > 0;
    let open = state.staff_until.is_some();
    let close = open && (touched || asked || state.staff_until.is_some_and(|t| now >= t));
    if close {
        for p in &panels {
            commands.entity(p).despawn();
        }
        state.staff_until = None;
        tracing::info!("staff overlay closed");
        return;
    }
    if !asked || open {
        return;
    }
    state.staff_until = Some(now + STAFF_SECONDS);
    let lines = info.lines();
    tracing::info!("staff overlay opened");
    let sf = scale_factor(&window);
    let text_size = (size.height.min(size.width) as f32 / 40.0).max(14.0) / sf;
    let panel = commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(text_size * 1.5),
                top: px(text_size * 1.5),
                max_width: percent(90),
                padding: UiRect::all(px(text_size)),
                border_radius: BorderRadius::all(px(text_size * 0.5)),
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.95)),
            ZIndex(10),
            StaffPanel,
            Pickable::IGNORE,
        ))
        .with_child((
            Text::new(lines.join("\n")),
            TextFont {
                font: fonts.face(Face::Regular).into(),
                font_size: FontSize::Px(text_size),
                ..default()
            },
            TextColor(Color::WHITE),
            Pickable::IGNORE,
        ))
        .id();
    commands.entity(*root).add_child(panel);
}

/// What the staff overlay tells.
#[derive(bevy::ecs::system::SystemParam)]
struct StaffInfo<'w> {
    screen: Res<'w, Screen>,
    library: Res<'w, CurrentLibrary>,
    since: Option<Res<'w, ContentSince>>,
    seq: Res<'w, Sequencer>,
    clock: Res<'w, WallClock>,
    now: Res<'w, Now>,
}

impl StaffInfo<'_> {
    fn lines(&self) -> Vec<String> {
        let tz = self.screen.0.timezone;
        let time = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
        };
        let generation = &self.library.0.generation;
        let playlists = self.library.0.playlists();
        let mut lines = vec![
            format!(
                "vitrin {} · skärm {}",
                env!("CARGO_PKG_VERSION"),
                self.screen.0.id
            ),
            format!("Nu: {}", time(self.clock.now(&self.now))),
            format!(
                "Innehåll: {} · publicerat {} · hämtat {}",
                generation.id,
                generation.published.map_or("–".into(), time),
                self.since.as_ref().map_or("–".into(), |s| time(s.0)),
            ),
        ];
        if let Some(program) = &self.seq.program {
            let names: Vec<&str> = program
                .playlists
                .iter()
                .filter_map(|a| playlists.get(a.playlist).map(|p| p.name.as_str()))
                .collect();
            lines.push(format!(
                "Läge: {} · spellistor: {}",
                program.mode.name(),
                if names.is_empty() {
                    "inga".to_string()
                } else {
                    names.join(", ")
                }
            ));
        }
        lines.push(format!(
            "Nästa schemaändring: {}",
            self.seq.next_change.map_or("–".into(), time)
        ));
        if let Some(page) = &self.seq.last_shown {
            lines.push(format!("Visar: {page}"));
        }
        let recent = crate::logbook::recent();
        if recent.is_empty() {
            lines.push("Inga fel eller varningar sedan start.".into());
        } else {
            lines.push("Senaste fel och varningar:".into());
            for e in recent.iter().rev() {
                let mut message = e.message.clone();
                if message.chars().count() > 160 {
                    message = message.chars().take(159).collect::<String>() + "…";
                }
                lines.push(format!(
                    "  {} {} {message}",
                    time(e.at),
                    if e.error { "FEL" } else { "varning" }
                ));
            }
        }
        lines
    }
}
