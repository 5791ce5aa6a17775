//! Draws a prepared page once into a texture of its own: a camera that renders a UI tree into an
//! image. When the page has settled (its first frames rendered), the camera stops and the UI tree
//! and the page's pictures are freed: only the finished texture stays, ready to be put on screen.
//! `play`, `render` and the tests all draw pages with this code.

use bevy::asset::RenderAssetUsages;
use bevy::camera::RenderTarget;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::text::LineHeight;
use image::RgbaImage;

use super::fonts::Fonts;
use crate::catalog::CoverItem;
use crate::layout::{Rect, Scale, TypographicCover};
use crate::prepare::{PreparedPage, Slot};
use crate::show::{Page, PageContent};
use crate::theme::{Palette, Rgb, SCRIM_ALPHA, SCRIM_TEXT, cover_colors};

/// Frames a page is rendered before it counts as drawn. Assets uploaded in one frame and text
/// laid out in it are on the texture after this many.
pub const SETTLE_FRAMES: u32 = 3;

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
    app.add_systems(Update, settle_pages.in_set(super::PlayerSystems::Pages));
}

/// The texture a page is drawn into. It is shown at its own size, pixel for pixel, so it is
/// sampled without filtering.
fn page_target(width: u32, height: u32) -> Image {
    let mut image = Image::new_target_texture(width, height, TextureFormat::Rgba8UnormSrgb, None);
    image.sampler = ImageSampler::nearest();
    image
}

/// A picture from the core as a GPU-only image: its pixels leave main memory once uploaded.
fn gpu_image(img: &RgbaImage, nearest: bool) -> Image {
    let mut image = Image::new(
        Extent3d {
            width: img.width(),
            height: img.height(),
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        img.as_raw().clone(),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    );
    if nearest {
        image.sampler = ImageSampler::nearest();
    }
    image
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
    prepared: PreparedPage,
) -> Entity {
    let (width, height) = (prepared.width, prepared.height);
    let target = images.add(page_target(width, height));
    let palette = prepared.page.theme.palette();
    let camera = commands
        .spawn(page_camera(&target, color(palette.background)))
        .id();
    let mut pictures = Vec::new();
    let mut add = |slot: Slot| -> Option<Picture> {
        let img = prepared.image(slot)?;
        let handle = images.add(gpu_image(img, slot == Slot::Qr));
        pictures.push(handle.clone());
        Some((handle, UVec2::new(img.width(), img.height())))
    };
    let root = commands
        .spawn((
            Node {
                width: px(width as f32),
                height: px(height as f32),
                ..default()
            },
            BackgroundColor(color(palette.background)),
            UiTargetCamera(camera),
            Pickable::IGNORE,
        ))
        .id();
    let mut ui = Ui {
        commands,
        root,
        fonts,
        scale: prepared.scale(),
        palette,
    };
    ui.content(&prepared.page.content, &mut add);
    commands.entity(camera).insert(PageView {
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
            clear_color: ClearColorConfig::Custom(background),
            ..default()
        },
        // UI has straight edges: multisampling would only cost time.
        bevy::render::view::Msaa::Off,
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

fn text_bundle(
    text: &str,
    font: &Handle<Font>,
    size: f32,
    c: Color,
    justify: Justify,
    breaks: LineBreak,
) -> impl Bundle {
    (
        Text::new(text),
        TextFont {
            font: font.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(c),
        TextLayout::new(justify, breaks),
        LineHeight::RelativeToFont(1.18),
    )
}

/// Builds one page's UI under its root, at absolute pixel positions from [`crate::layout`].
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
    fn content(&mut self, content: &PageContent, add: &mut impl FnMut(Slot) -> Option<Picture>) {
        match content {
            PageContent::Picture {
                caption,
                title,
                position,
                ..
            } => {
                let main = add(Slot::Main);
                self.picture(main, caption.as_deref(), title.as_deref(), *position);
            }
            PageContent::Welcome => {
                let main = add(Slot::Main);
                self.welcome(main);
            }
            PageContent::Qr {
                title, text, url, ..
            } => {
                let side = add(Slot::Side);
                let qr = add(Slot::Qr);
                let modules = crate::prepare::qr_modules(url).unwrap_or(1);
                self.qr(title, text.as_deref(), side, qr, modules);
            }
            PageContent::Text { title, text, .. } => {
                let side = add(Slot::Side);
                self.text(title, text.as_deref(), side);
            }
            PageContent::Covers {
                title,
                books,
                qr,
                qr_text,
                position,
            } => {
                let covers: Vec<_> = (0..books.len()).map(|i| add(Slot::Cover(i))).collect();
                let code = add(Slot::Qr);
                let modules = qr.as_deref().and_then(crate::prepare::qr_modules);
                self.covers(
                    title.as_deref(),
                    books,
                    &covers,
                    code,
                    modules,
                    qr_text,
                    *position,
                );
            }
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

    /// Text in a rectangle: wrapped at its width and clipped at its height, so long text never
    /// runs into what is below it.
    fn words(
        &mut self,
        r: Rect,
        text: &str,
        font: &Handle<Font>,
        size: f32,
        c: Color,
        justify: Justify,
    ) {
        self.words_breaking(r, text, font, size, c, justify, LineBreak::WordBoundary);
    }

    /// Like [`Ui::words`], breaking inside words that are wider than the rectangle.
    fn words_breaking(
        &mut self,
        r: Rect,
        text: &str,
        font: &Handle<Font>,
        size: f32,
        c: Color,
        justify: Justify,
        breaks: LineBreak,
    ) {
        let clip = self.child((Node {
            overflow: Overflow::clip(),
            ..at(r)
        },));
        let words = self
            .commands
            .spawn((
                text_bundle(text, font, size, c, justify, breaks),
                Pickable::IGNORE,
            ))
            .id();
        self.commands.entity(clip).add_child(words);
    }

    fn picture(
        &mut self,
        main: Option<Picture>,
        caption: Option<&str>,
        title: Option<&str>,
        position: Option<(usize, usize)>,
    ) {
        let l = self.scale.picture(caption.map_or(0, |c| c.chars().count()));
        if let Some(m) = main {
            self.image_centered(l.picture, m);
        }
        let scrim = Color::srgba(0.0, 0.0, 0.0, SCRIM_ALPHA as f32);
        let white = color(SCRIM_TEXT);
        if caption.is_some() || position.is_some() {
            self.fill(l.caption_band, scrim);
        }
        if let Some(c) = caption {
            let font = self.fonts.semibold.clone();
            self.words(l.caption, c, &font, self.scale.body, white, Justify::Left);
        }
        if let Some(t) = title {
            let b = self.scale.title_badge(l.title, t.chars().count());
            self.child((
                Node {
                    border_radius: BorderRadius::all(px(b.radius)),
                    ..at(b.badge)
                },
                BackgroundColor(scrim),
            ));
            let font = self.fonts.bold.clone();
            self.words(b.text, t, &font, self.scale.body, white, Justify::Left);
        }
        if let Some((index, count)) = position {
            self.dots(&l.position_dots(count), index);
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

    fn welcome(&mut self, main: Option<Picture>) {
        let s = self.scale;
        let l = s.welcome();
        if let Some(m) = main {
            self.image_centered(l.picture, m);
        }
        let font = self.fonts.bold.clone();
        let text = color(self.palette.text);
        self.words(
            l.title,
            "Välkommen till biblioteket",
            &font,
            s.title,
            text,
            Justify::Center,
        );
        let font = self.fonts.regular.clone();
        let muted = color(self.palette.muted);
        self.words(
            l.subtitle,
            "Bibliotek Värmland · bibliotekvarmland.se",
            &font,
            s.body,
            muted,
            Justify::Center,
        );
    }

    /// A headline over body text, centred as a block in `area`: an accent rule, the headline, the
    /// text. The block is clipped to the area.
    fn headline_and_text(&mut self, area: Rect, title: &str, text: Option<&str>) {
        let s = self.scale;
        let sizes = s.headline_block();
        let bold = self.fonts.bold.clone();
        let regular = self.fonts.regular.clone();
        let (fg, accent) = (color(self.palette.text), color(self.palette.accent));
        // The outer node centres the block; the block is at most as tall as the area, so text too
        // long for it is cut at the bottom, never at the top.
        let outer = self.child((Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            ..at(area)
        },));
        let block = self
            .commands
            .spawn((
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(sizes.row_gap),
                    max_height: percent(100),
                    overflow: Overflow::clip(),
                    ..default()
                },
                Pickable::IGNORE,
            ))
            .id();
        self.commands.entity(outer).add_child(block);
        let rule = self
            .commands
            .spawn((
                Node {
                    width: px(sizes.rule_width),
                    height: px(sizes.rule_height),
                    flex_shrink: 0.0,
                    ..default()
                },
                BackgroundColor(accent),
                Pickable::IGNORE,
            ))
            .id();
        let headline = self.block_text(title, &bold, s.title, fg);
        self.commands.entity(block).add_children(&[rule, headline]);
        if let Some(t) = text {
            let body = self.block_text(t, &regular, s.body, fg);
            self.commands.entity(block).add_child(body);
        }
    }

    /// Text that takes its place in a column, wrapping at the column's width.
    fn block_text(&mut self, text: &str, font: &Handle<Font>, size: f32, c: Color) -> Entity {
        self.commands
            .spawn((
                text_bundle(text, font, size, c, Justify::Left, LineBreak::WordBoundary),
                Node {
                    flex_shrink: 0.0,
                    ..default()
                },
                Pickable::IGNORE,
            ))
            .id()
    }

    fn qr(
        &mut self,
        title: &str,
        text: Option<&str>,
        side: Option<Picture>,
        qr: Option<Picture>,
        modules: u32,
    ) {
        let l = self.scale.qr(side.is_some(), modules);
        if let (Some(r), Some(img)) = (l.image, side) {
            self.image(r, img.0);
        }
        self.headline_and_text(l.words, title, text);
        if let Some(code) = qr {
            self.image(l.code, code.0);
        }
    }

    fn text(&mut self, title: &str, text: Option<&str>, side: Option<Picture>) {
        let l = self.scale.text(side.is_some());
        if let (Some(r), Some(img)) = (l.image, side) {
            self.image(r, img.0);
        }
        self.headline_and_text(l.words, title, text);
    }

    fn covers(
        &mut self,
        title: Option<&str>,
        books: &[CoverItem],
        covers: &[Option<Picture>],
        code: Option<Picture>,
        modules: Option<u32>,
        qr_text: &str,
        position: Option<(usize, usize)>,
    ) {
        let s = self.scale;
        let l = s.covers(books.len(), modules.filter(|_| code.is_some()));
        let fg = color(self.palette.text);
        let muted = color(self.palette.muted);
        let bold = self.fonts.bold.clone();
        let semibold = self.fonts.semibold.clone();
        let regular = self.fonts.regular.clone();
        let mut heading = title.unwrap_or("Nya böcker").to_string();
        if let Some((i, n)) = position {
            heading.push_str(&format!("  {i}/{n}"));
        }
        self.words(l.title, &heading, &bold, l.heading, fg, Justify::Left);
        // Labels sit under covers in a row (landscape), beside them in a column (portrait).
        let labels = if s.portrait() {
            Justify::Left
        } else {
            Justify::Center
        };
        for ((book, cell), cover) in books.iter().zip(&l.cells).zip(covers) {
            match cover {
                Some((image, size)) => {
                    // The real cover keeps its shape, standing on the cell's baseline.
                    let r = cell.cover_of_size(size.x as f32, size.y as f32);
                    self.child((
                        at(r),
                        ImageNode::new(image.clone()).with_mode(NodeImageMode::Stretch),
                        self.cover_shadow(),
                    ));
                }
                None => self.typographic_cover(cell.cover, book),
            }
            self.words_breaking(
                cell.title,
                &book.title,
                &semibold,
                s.body,
                fg,
                labels,
                LineBreak::WordOrCharacter,
            );
            let authors = book.authors.join(", ");
            if !authors.is_empty() {
                self.words(cell.author, &authors, &regular, s.body, muted, labels);
            }
        }
        if let Some((image, _)) = code {
            self.image(l.code, image);
            self.words(l.qr_text, qr_text, &semibold, s.body, fg, labels);
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
    fn typographic_cover(&mut self, r: Rect, book: &CoverItem) {
        let l = TypographicCover::within(r);
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
        let bold = self.fonts.bold.clone();
        let regular = self.fonts.regular.clone();
        self.fill(l.rule, fg);
        self.words(l.title, &book.title, &bold, l.title_size, fg, Justify::Left);
        let authors = book.authors.join(", ");
        self.words(
            l.authors,
            &authors,
            &regular,
            l.authors_size,
            fg,
            Justify::Left,
        );
    }
}
