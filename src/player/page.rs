//! Draws a prepared page once into a texture of its own: a camera that renders a UI tree into an
//! image. When the page has settled (its first frames rendered), the camera stops and the UI tree
//! and the page's pictures are freed: only the finished texture stays, ready to be put on screen.
//! `play`, `render` and the tests all draw pages with this code.

use bevy::asset::RenderAssetUsages;
use bevy::camera::RenderTarget;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::text::LineHeight;
use image::RgbaImage;

use super::fonts::Fonts;
use crate::catalog::CoverItem;
use crate::compose::{PictureText, Placed, WordsText};
use crate::layout::{Rect, Scale, TypographicCover};
use crate::prepare::{CoversPage, PageText, PreparedPage, Slot};
use crate::show::{Page, PageContent};
use crate::theme::{Palette, Rgb, SCRIM_TEXT, cover_colors};
use crate::touch::Target;
use crate::typeset::{Face, LINE_HEIGHT};

/// Frames a page is rendered before it counts as drawn. Assets uploaded in one frame and text
/// laid out in it are on the texture after this many.
pub const SETTLE_FRAMES: u32 = 2;

/// A page being drawn or drawn, on its camera entity.
#[derive(Component, Debug)]
pub struct PageView {
    pub page: Page,
    pub target: Handle<Image>,
    pub width: u32,
    pub height: u32,
    /// The UI tree that draws it, until it is freed.
    root: Option<Entity>,
    /// The page's own pictures, freed with the tree.
    pictures: Vec<Handle<Image>>,
    frames: u32,
    /// Keep the camera running after the page is drawn (for screenshots of it).
    pub keep_rendering: bool,
    /// What can be touched on it, in page pixels.
    pub targets: Vec<Target>,
}

impl PageView {
    /// Whether the texture holds the finished page.
    pub fn is_drawn(&self) -> bool {
        self.frames >= SETTLE_FRAMES
    }
}

/// Marks a page that has just been drawn (added once, when it settles).
#[derive(Component, Debug)]
pub struct Drawn;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (free_glyph_atlases, settle_pages)
            .chain()
            .in_set(super::PlayerSystems::Pages),
    );
}

/// bevy draws text from glyph atlases, one set for each font and size, and keeps every atlas it
/// ever made (a megabyte each, in main memory and again as a texture). Pages come in many sizes
/// over a day, and a drawn page's text is in its texture: so once pages have been drawn and none
/// is being drawn, the atlases are freed. The screen's own few texts (the touch bar, the staff
/// overlay) are laid out again, which draws their glyphs anew.
fn free_glyph_atlases(
    drawn: Query<(), Added<Drawn>>,
    views: Query<&PageView>,
    mut atlases: ResMut<bevy::text::FontAtlasSet>,
    mut texts: Query<&mut TextFont>,
) {
    let busy = views
        .iter()
        .any(|v| !v.is_drawn() || (v.keep_rendering && v.root.is_some()));
    if drawn.is_empty() || busy || atlases.is_empty() {
        return;
    }
    let sizes = atlases.len();
    atlases.clear();
    for mut font in &mut texts {
        font.set_changed();
    }
    tracing::debug!(sizes, "glyph atlases freed");
}

/// The texture a page is drawn into. It is shown at its own size, pixel for pixel, so it is
/// sampled without filtering. It lives only on the GPU: the camera's clear fills it, and no copy
/// of its pixels waits in main memory.
fn page_target(width: u32, height: u32) -> Image {
    let mut image = Image::new_target_texture(width, height, TextureFormat::Rgba8UnormSrgb, None);
    // Copied out strip by strip when a crossfade is blended on the CPU (`super::present`).
    image.texture_descriptor.usage |= TextureUsages::COPY_SRC;
    image.sampler = ImageSampler::nearest();
    image.data = None;
    image.copy_on_resize = false;
    image.asset_usage = RenderAssetUsages::RENDER_WORLD;
    image
}

/// A picture from the core as a GPU-only image: its pixels leave main memory once uploaded.
fn gpu_image(img: RgbaImage, nearest: bool) -> Image {
    let mut image = Image::new(
        Extent3d {
            width: img.width(),
            height: img.height(),
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        img.into_raw(),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    );
    if nearest {
        image.sampler = ImageSampler::nearest();
    }
    image
}

/// A picture for the screen's own UI (the touch bar's icons), smoothly scaled.
pub fn ui_image(img: &RgbaImage) -> Image {
    gpu_image(img.clone(), false)
}

fn color(rgb: Rgb) -> Color {
    Color::srgb_u8(rgb[0], rgb[1], rgb[2])
}

/// A page's picture on the GPU, and its size in pixels.
type Picture = (Handle<Image>, UVec2);

/// Spawns the camera and UI that draw `prepared` into a new texture. Returns the camera entity,
/// which carries the [`PageView`].
pub fn spawn_page(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    fonts: &Fonts,
    mut prepared: PreparedPage,
) -> Entity {
    let (width, height) = (prepared.width, prepared.height);
    let target = images.add(page_target(width, height));
    let palette = prepared.page.theme.palette();
    let camera = commands
        .spawn(page_camera(&target, color(palette.background)))
        .id();
    let mut pictures = Vec::new();
    // Each picture is placed once: its pixels move into the GPU image rather than being copied
    // (a full-screen picture is 8 MB, and a copy would be held until the page is drawn).
    let mut own = std::mem::take(&mut prepared.images);
    let mut add = |slot: Slot| -> Option<Picture> {
        let img = own.remove(&slot)?;
        let size = UVec2::new(img.width(), img.height());
        let handle = images.add(gpu_image(img, matches!(slot, Slot::Qr | Slot::BookQr(_))));
        pictures.push(handle.clone());
        Some((handle, size))
    };
    let root = commands
        .spawn((
            Node {
                width: px(width as f32),
                height: px(height as f32),
                ..default()
            },
            // The page's background is the camera's clear colour: a full-page node would shade
            // every pixel once more.
            UiTargetCamera(camera),
            Pickable::IGNORE,
        ))
        .id();
    let mut ui = Ui {
        commands,
        root,
        fonts,
        scale: prepared.scale,
        palette,
    };
    ui.content(&prepared, &mut add);
    let targets = prepared.text.targets();
    commands.entity(camera).insert(PageView {
        targets,
        page: prepared.page,
        target,
        width,
        height,
        root: Some(root),
        pictures,
        frames: 0,
        keep_rendering: false,
    });
    camera
}

/// The camera that draws a page into `target`, once, off screen.
fn page_camera(target: &Handle<Image>, background: Color) -> impl Bundle {
    (
        Camera2d,
        Camera {
            order: -1,
            // The page pass clears the texture to this before it draws the page's UI into it.
            clear_color: ClearColorConfig::Custom(background),
            // Nothing else clears or blends into the texture (bevy's copy to the output, which
            // this configures, does not run under the page pass).
            output_mode: bevy::camera::CameraOutputMode::Write {
                blend_state: None,
                clear_color: ClearColorConfig::None,
            },
            ..default()
        },
        // UI has straight edges: multisampling would only cost time.
        bevy::render::view::Msaa::Off,
        // The UI straight into the texture, without bevy's intermediate and depth textures.
        bevy::render::camera::CameraRenderGraph::new(super::page_pass::PageGraph),
        RenderTarget::Image(target.clone().into()),
    )
}

/// Counts the frames each page has been rendered; when it has settled, marks it [`Drawn`] and,
/// unless it must keep rendering, stops its camera and frees its UI and pictures.
fn settle_pages(
    mut commands: Commands,
    mut views: Query<(Entity, &mut PageView, &mut Camera)>,
    mut images: ResMut<Assets<Image>>,
) {
    for (entity, mut view, mut camera) in &mut views {
        if view.is_drawn() {
            continue;
        }
        view.frames += 1;
        if !view.is_drawn() {
            continue;
        }
        commands.entity(entity).insert(Drawn);
        if !view.keep_rendering {
            camera.is_active = false;
            free_page_ui(&mut commands, &mut view, &mut images);
        }
    }
}

/// Frees what drew a page (its UI tree and pictures), keeping the texture.
pub fn free_page_ui(commands: &mut Commands, view: &mut PageView, images: &mut Assets<Image>) {
    if let Some(root) = view.root.take() {
        commands.entity(root).despawn();
    }
    for handle in view.pictures.drain(..) {
        images.remove(&handle);
    }
}

/// Removes a page: its camera, UI, pictures and texture.
pub fn despawn_page(
    commands: &mut Commands,
    entity: Entity,
    view: &mut PageView,
    images: &mut Assets<Image>,
) {
    free_page_ui(commands, view, images);
    images.remove(&view.target);
    commands.entity(entity).despawn();
}

/// One line of text as the typesetter decided it, on the entity that draws it: tests compare it
/// with what bevy laid out.
#[derive(Component, Debug, Clone)]
pub struct SetLine {
    pub text: String,
    /// The line's box on the page, in pixels.
    pub rect: Rect,
    /// The box of the whole text the line belongs to.
    pub bounds: Rect,
    /// That whole text, as given.
    pub source: String,
    /// Its words left out for lack of room.
    pub lost: Vec<String>,
    /// Its face, for counting the glyphs the line should have.
    pub face: Face,
}

/// Builds one page's UI under its root, at absolute pixel positions from [`crate::layout`] and
/// [`crate::compose`].
struct Ui<'a, 'w, 's> {
    commands: &'a mut Commands<'w, 's>,
    root: Entity,
    fonts: &'a Fonts,
    scale: Scale,
    palette: Palette,
}

fn at(r: Rect) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: px(r.x.round()),
        top: px(r.y.round()),
        width: px(r.w.round()),
        height: px(r.h.round()),
        ..default()
    }
}

impl Ui<'_, '_, '_> {
    /// The page's content, asking `add` for each of its pictures.
    fn content(&mut self, prepared: &PreparedPage, add: &mut impl FnMut(Slot) -> Option<Picture>) {
        match (&prepared.page.content, &prepared.text) {
            (PageContent::Picture { position, .. }, PageText::Picture(t)) => {
                let main = add(Slot::Main);
                self.picture(main, t, *position);
            }
            (PageContent::Welcome, PageText::Welcome(t)) => {
                let main = add(Slot::Main);
                self.welcome(main, t);
            }
            (_, PageText::Words { image, code, words }) => {
                let side = add(Slot::Side);
                let qr = add(Slot::Qr);
                if let (Some(r), Some(img)) = (image, side) {
                    self.image(*r, img.0);
                }
                self.headline_and_text(words);
                if let (Some(r), Some(img)) = (code, qr) {
                    self.image(*r, img.0);
                }
            }
            (PageContent::Covers { books, .. }, PageText::Covers(c)) => {
                self.covers(books, c, add);
            }
            (PageContent::Book { book, .. }, PageText::Book { layout, text, art }) => {
                match add(Slot::Cover(0)) {
                    Some((image, size)) => {
                        let r = layout.cover.centered(size.x as f32, size.y as f32);
                        let r = Rect::new(layout.cover.x, r.y, r.w, r.h);
                        self.child((
                            at(r),
                            ImageNode::new(image).with_mode(NodeImageMode::Stretch),
                            self.cover_shadow(),
                        ));
                    }
                    None => {
                        if let Some(art) = art {
                            self.typographic_cover(layout.cover, book, art);
                        }
                    }
                }
                self.headline_and_text(&text.words);
                if let (Some(r), Some(qr)) = (layout.code, add(Slot::Qr)) {
                    self.image(r, qr.0);
                }
                if let Some(call) = &text.call {
                    self.lines(call, color(self.palette.text));
                }
            }
            (_, PageText::Hours(h)) => {
                let (fg, accent) = (color(self.palette.text), color(self.palette.accent));
                let muted = color(self.palette.muted);
                self.fill(h.rule, accent);
                self.lines(&h.headline, fg);
                for line in h.subtitle.iter().chain(&h.heads) {
                    self.lines(line, muted);
                }
                // Days with other hours say so in their name; colour alone would not reach everyone.
                for cell in h.rows.iter().flatten().chain(&h.coming) {
                    self.lines(cell, fg);
                }
            }
            (_, PageText::Events(t)) => {
                let (fg, accent) = (color(self.palette.text), color(self.palette.accent));
                let muted = color(self.palette.muted);
                self.fill(t.rule, accent);
                self.lines(&t.headline, fg);
                for (i, e) in t.events.iter().enumerate() {
                    for when in &e.when {
                        self.lines(when, accent);
                    }
                    self.lines(&e.title, fg);
                    for line in e.place.iter().chain(&e.text) {
                        self.lines(line, muted);
                    }
                    if let (Some(r), Some(qr)) = (e.code, add(Slot::EventQr(i))) {
                        self.image(r, qr.0);
                    }
                    if let Some(rule) = e.rule {
                        self.fill(rule, muted.with_alpha(0.35));
                    }
                }
                if let Some(note) = &t.note {
                    self.lines(note, fg);
                }
                if let (Some(r), Some(qr)) = (t.code, add(Slot::Qr)) {
                    self.image(r, qr.0);
                }
            }
            (_, PageText::Code { layout, words }) => {
                self.headline_and_text(words);
                if let Some(qr) = add(Slot::Qr) {
                    self.image(layout.code, qr.0);
                }
            }
            // prepare() sets a page's texts from its content: they always match.
            _ => {}
        }
    }

    fn child(&mut self, bundle: impl Bundle) -> Entity {
        let id = self.commands.spawn((bundle, Pickable::IGNORE)).id();
        self.commands.entity(self.root).add_child(id);
        id
    }

    fn fill(&mut self, r: Rect, c: Color) {
        self.child((at(r), BackgroundColor(c)));
    }

    fn image(&mut self, r: Rect, image: Handle<Image>) {
        self.child((
            at(r),
            ImageNode::new(image).with_mode(NodeImageMode::Stretch),
        ));
    }

    /// A picture centred in `r` at its own size.
    fn image_centered(&mut self, r: Rect, (image, size): Picture) {
        let inner = r.centered(size.x as f32, size.y as f32);
        self.image(inner, image);
    }

    /// A text exactly as it was set: each line where the typesetter put it, never wrapped again.
    fn lines(&mut self, placed: &Placed, c: Color) {
        let font = self.fonts.face(placed.setting.face);
        let size = placed.setting.size;
        for (text, rect) in placed.lines() {
            self.child((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(rect.x.round()),
                    top: px(rect.y.round()),
                    ..default()
                },
                Text::new(text),
                TextFont {
                    font: font.clone().into(),
                    font_size: FontSize::Px(size),
                    ..default()
                },
                TextColor(c),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
                LineHeight::RelativeToFont(LINE_HEIGHT),
                SetLine {
                    text: text.to_string(),
                    rect,
                    bounds: placed.rect,
                    source: placed.setting.text.clone(),
                    lost: placed.setting.lost.clone(),
                    face: placed.setting.face,
                },
            ));
        }
    }

    fn picture(
        &mut self,
        main: Option<Picture>,
        t: &PictureText,
        position: Option<(usize, usize)>,
    ) {
        if let Some(m) = main {
            self.image_centered(self.scale.screen(), m);
        }
        let scrim = |alpha: f64| Color::srgba(0.0, 0.0, 0.0, alpha as f32);
        let white = color(SCRIM_TEXT);
        if let Some(band) = t.band {
            self.fill(band, scrim(t.band_alpha));
        }
        if let Some(c) = &t.caption {
            self.lines(c, white);
        }
        if let Some((b, title)) = &t.badge {
            self.child((
                Node {
                    border_radius: BorderRadius::all(px(b.radius)),
                    ..at(b.badge)
                },
                BackgroundColor(scrim(t.badge_alpha)),
            ));
            self.lines(title, white);
        }
        if let Some((index, _)) = position {
            self.dots(&t.dots, index);
        }
    }

    /// "2 of 5" as dots: the current one in the accent colour.
    fn dots(&mut self, dots: &[Rect], index: usize) {
        for (i, &dot) in dots.iter().enumerate() {
            let c = if i + 1 == index {
                color(self.palette.accent)
            } else {
                Color::srgba(1.0, 1.0, 1.0, 0.55)
            };
            self.child((
                Node {
                    border_radius: BorderRadius::MAX,
                    ..at(dot)
                },
                BackgroundColor(c),
            ));
        }
    }

    fn welcome(&mut self, main: Option<Picture>, t: &[Placed; 2]) {
        if let Some(m) = main {
            self.image_centered(self.scale.screen(), m);
        }
        self.lines(&t[0], color(self.palette.text));
        self.lines(&t[1], color(self.palette.muted));
    }

    /// A headline over body text: an accent rule, the headline, the text.
    fn headline_and_text(&mut self, w: &WordsText) {
        let (fg, accent) = (color(self.palette.text), color(self.palette.accent));
        self.fill(w.rule, accent);
        self.lines(&w.headline, fg);
        if let Some(body) = &w.body {
            self.lines(body, fg);
        }
    }

    fn covers(
        &mut self,
        books: &[CoverItem],
        c: &CoversPage,
        add: &mut impl FnMut(Slot) -> Option<Picture>,
    ) {
        let fg = color(self.palette.text);
        let muted = color(self.palette.muted);
        self.lines(&c.text.heading, fg);
        for (i, (book, cell)) in books.iter().zip(&c.layout.cells).enumerate() {
            match add(Slot::Cover(i)) {
                Some((image, size)) => {
                    // The real cover keeps its shape, standing on the cell's baseline.
                    let r = cell.cover_of_size(size.x as f32, size.y as f32);
                    self.child((
                        at(r),
                        ImageNode::new(image).with_mode(NodeImageMode::Stretch),
                        self.cover_shadow(),
                    ));
                }
                None => {
                    if let Some(Some(art)) = c.art.get(i) {
                        self.typographic_cover(cell.cover, book, art);
                    }
                }
            }
            if let (Some(r), Some((image, size))) = (cell.code, add(Slot::BookQr(i))) {
                self.image(r.centered(size.x as f32, size.y as f32), image);
            }
        }
        for t in &c.text.titles {
            self.lines(t, fg);
        }
        for a in &c.text.authors {
            self.lines(a, muted);
        }
        if let Some(image) = add(Slot::Qr) {
            self.image(c.layout.code, image.0);
            if let Some(t) = &c.text.qr_text {
                self.lines(t, fg);
            }
        }
    }

    /// The shadow a book casts, real or typographic.
    fn cover_shadow(&self) -> BoxShadow {
        let shadow = self.scale.cover_shadow();
        BoxShadow::new(
            Color::srgba(0.0, 0.0, 0.0, 0.45),
            px(0.0),
            px(shadow.y_offset),
            px(0.0),
            px(shadow.blur),
        )
    }

    /// A cover set in type on a colour derived from the title, for books without a picture.
    fn typographic_cover(
        &mut self,
        r: Rect,
        book: &CoverItem,
        (l, [title, authors]): &(TypographicCover, [Placed; 2]),
    ) {
        let (bg, fg) = cover_colors(&book.title);
        let (bg, fg) = (color(bg), color(fg));
        self.child((
            Node {
                border_radius: BorderRadius::all(px(l.radius)),
                ..at(r)
            },
            BackgroundColor(bg),
            self.cover_shadow(),
        ));
        self.fill(l.rule, fg);
        self.lines(title, fg);
        self.lines(authors, fg);
    }
}
