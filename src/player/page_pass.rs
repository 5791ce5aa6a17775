//! How a page camera draws: its UI straight into the page's texture, in one render pass.
//!
//! A page camera is a 2D camera (bevy lays out and prepares UI only for 2D and 3D cameras), but
//! bevy's 2D graph would clear an intermediate texture and a depth texture the size of the screen,
//! draw the UI into the intermediate one and copy it to the page's texture in a full-screen pass.
//! Nothing but UI is ever on a page: with this graph the texture is cleared to the page's
//! background and the UI drawn into it, and the intermediate and depth textures bevy still
//! reserves are never touched, so in software rendering (where they are main memory) they take
//! none: two whole screens less while a page is drawn, and two full-screen passes less per page.

use bevy::camera::ClearColorConfig;
use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::camera::ExtractedCamera;
use bevy::render::diagnostic::RecordDiagnostics;
use bevy::render::render_phase::ViewSortedRenderPhases;
use bevy::render::render_resource::RenderPassDescriptor;
use bevy::render::renderer::{RenderContext, ViewQuery};
use bevy::render::view::{ExtractedView, ViewTarget};
use bevy::ui_render::{TransparentUi, UiCameraView, UiViewTarget};

/// A page camera's render graph: [`draw_page`] alone.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PageGraph;

pub(super) fn plugin(app: &mut App) {
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .add_schedule(super::screen_pass::camera_graph(PageGraph))
        .add_systems(PageGraph, draw_page);
}

/// Clears the page's texture to the camera's clear colour and draws the page's UI into it. bevy
/// prepares the UI's pipelines for the camera's intermediate texture, whose format (8-bit sRGB,
/// the camera is not HDR) is the page texture's own (`page::page_target`).
fn draw_page(
    world: &World,
    view: ViewQuery<&UiCameraView>,
    ui_views: Query<(&ExtractedView, &UiViewTarget)>,
    targets: Query<(&ViewTarget, &ExtractedCamera)>,
    phases: Res<ViewSortedRenderPhases<TransparentUi>>,
    default_clear: Res<ClearColor>,
    mut ctx: RenderContext,
) {
    let ui_view = view.into_inner().0;
    let Ok((extracted, ui_target)) = ui_views.get(ui_view) else {
        return;
    };
    let Ok((target, camera)) = targets.get(ui_target.0) else {
        return;
    };
    let clear = match camera.clear_color {
        ClearColorConfig::Custom(color) => Some(color.to_linear()),
        ClearColorConfig::Default => Some(default_clear.0.to_linear()),
        ClearColorConfig::None => None,
    };
    let Some(attachment) = target.out_texture_color_attachment(clear) else {
        return;
    };
    let diagnostics = ctx.diagnostic_recorder();
    let diagnostics = diagnostics.as_deref();
    let mut pass = ctx.begin_tracked_render_pass(RenderPassDescriptor {
        label: Some("vitrin page"),
        color_attachments: &[Some(attachment)],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    });
    let span = diagnostics.pass_span(&mut pass, "vitrin page");
    if let Some(viewport) = camera.viewport.as_ref() {
        pass.set_camera_viewport(viewport);
    }
    if let Some(phase) = phases.get(&extracted.retained_view_entity)
        && !phase.items.is_empty()
        && let Err(error) = phase.render(&mut pass, world, ui_view)
    {
        tracing::error!(?error, "drawing a page's UI failed");
    }
    span.end(&mut pass);
}
