//! The screen's one render pass. The screen camera has a render graph of its own: one
//! full-screen triangle that reads the finished page textures and writes the window's picture
//! (or the offscreen output) directly, each pixel once.
//!
//! bevy's 2D graph would draw the page quad into an intermediate texture (cleared, with a depth
//! texture cleared beside it) and then copy that texture to the window in a second full-screen
//! pass. In software rendering every one of those pixels is CPU time: this pass writes each pixel
//! once, and the intermediate and depth textures are never touched (in lavapipe at 1080p a
//! transition frame went from 36 to 30 ms on two threads). What a frame costs is then what its
//! program reads, so each frame runs the cheapest [`Program`] that draws it. What the screen's
//! own UI shows (the touch bar, the staff overlay) is drawn by a second camera over it, only on
//! screens that have such UI.

use bevy::asset::uuid_handle;
use bevy::core_pipeline::FullscreenShader;
use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;
use bevy::render::camera::ExtractedCamera;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::binding_types::{sampler, texture_2d, uniform_buffer};
use bevy::render::render_resource::{
    BindGroup, BindGroupEntries, BindGroupLayoutDescriptor, BindGroupLayoutEntries,
    CachedRenderPipelineId, ColorTargetState, ColorWrites, FragmentState, PipelineCache,
    RenderPassDescriptor, RenderPipelineDescriptor, Sampler, SamplerBindingType, SamplerDescriptor,
    ShaderStages, ShaderType, SpecializedRenderPipeline, SpecializedRenderPipelines, TextureFormat,
    TextureSampleType, UniformBuffer,
};
use bevy::render::renderer::{RenderContext, RenderDevice, RenderQueue, ViewQuery};
use bevy::render::texture::{FallbackImage, GpuImage};
use bevy::render::view::{ViewDepthTexture, ViewTarget};
use bevy::render::{Render, RenderApp, RenderStartup, RenderSystems};

/// The screen camera's render graph: [`draw_screen`] alone.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ScreenGraph;

/// The shader of the pass (`screen_mix.wgsl`, built into the program).
const SCREEN_MIX_SHADER: Handle<Shader> = uuid_handle!("9b3e2f61-0c4a-4e8d-8f57-2a6d1c9e7b30");

/// What the screen shows this frame, set by the compositor and copied to the render world.
#[derive(Resource, ExtractResource, Debug, Clone, Default)]
pub struct ScreenMix {
    pub from: Option<AssetId<Image>>,
    pub to: Option<AssetId<Image>>,
    pub params: ScreenMixParams,
}

/// The pass's parameters, as `screen_mix.wgsl` reads them.
#[derive(ShaderType, Debug, Clone, Copy, Default, PartialEq)]
pub struct ScreenMixParams {
    /// Shown where there is no page before, and where there is no page after (linear RGBA).
    pub from_color: Vec4,
    pub to_color: Vec4,
    /// Below the pages: the touch bar's background.
    pub bar_color: Vec4,
    /// x: the transition's eased progress, 0 to 1; y: 1 for a slide; z: 1 with a page before;
    /// w: 1 with a page after.
    pub state: Vec4,
    /// x: the pages' width in texels; z: the part of the output's height they cover, w: the
    /// output's height, in pixels.
    pub size: Vec4,
}

pub(super) fn plugin(app: &mut App) {
    app.world_mut()
        .resource_mut::<Assets<Shader>>()
        .insert(
            SCREEN_MIX_SHADER.id(),
            Shader::from_wgsl(include_str!("screen_mix.wgsl"), "vitrin/screen_mix.wgsl"),
        )
        .expect("a fixed handle");
    app.init_resource::<ScreenMix>()
        .add_plugins(ExtractResourcePlugin::<ScreenMix>::default());
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .init_resource::<SpecializedRenderPipelines<ScreenMixPipeline>>()
        .init_resource::<ScreenMixBuffer>()
        .init_resource::<ScreenMixBindGroup>()
        .add_systems(RenderStartup, init_pipeline)
        .add_systems(
            Render,
            (
                prepare_screen
                    .in_set(RenderSystems::PrepareBindGroups)
                    .ambiguous_with_all(),
                release_idle_views.in_set(RenderSystems::CreateViews),
            ),
        )
        .add_schedule(camera_graph(ScreenGraph))
        .add_systems(ScreenGraph, draw_screen);
}

/// A camera's render graph of vitrin's own: a schedule set up as bevy sets up its own graphs (the
/// systems in it record commands; nothing is deferred between them).
pub(super) fn camera_graph(label: impl ScheduleLabel) -> Schedule {
    let mut graph = Schedule::new(label);
    graph.set_build_settings(bevy::ecs::schedule::ScheduleBuildSettings {
        auto_insert_apply_deferred: false,
        ..default()
    });
    graph
}

#[derive(Resource)]
struct ScreenMixPipeline {
    layout: BindGroupLayoutDescriptor,
    fullscreen: FullscreenShader,
    nearest: Sampler,
}

fn init_pipeline(
    mut commands: Commands,
    fullscreen: Res<FullscreenShader>,
    device: Res<RenderDevice>,
) {
    let layout = BindGroupLayoutDescriptor::new(
        "vitrin screen",
        &BindGroupLayoutEntries::sequential(
            ShaderStages::FRAGMENT,
            (
                uniform_buffer::<ScreenMixParams>(false),
                texture_2d(TextureSampleType::Float { filterable: false }),
                texture_2d(TextureSampleType::Float { filterable: false }),
                sampler(SamplerBindingType::NonFiltering),
            ),
        ),
    );
    // Nearest, clamped to the edge: texel centres read exactly.
    let nearest = device.create_sampler(&SamplerDescriptor::default());
    commands.insert_resource(ScreenMixPipeline {
        layout,
        fullscreen: fullscreen.clone(),
        nearest,
    });
}

/// The pass's fragment programs. A frame runs the cheapest one that draws it: in software
/// rendering each page read costs about 9 ms of CPU a 1080p frame, and the general program's
/// choices as much again (lavapipe, one thread: a still page 43 → 21 ms, a crossfade 43 → 30 ms).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Program {
    /// Everything: slides, the touch bar below the pages, colours where a page is missing.
    General,
    /// One page, as it is (the second texture).
    One,
    /// A crossfade of two pages.
    Fade,
    /// A page fading in over a colour (`from_color`; the second texture).
    FadeIn,
    /// A page (the first texture) fading out to a colour (`to_color`).
    FadeOut,
}

impl Program {
    const ALL: [Program; 5] = [
        Program::General,
        Program::One,
        Program::Fade,
        Program::FadeIn,
        Program::FadeOut,
    ];

    fn entry_point(self) -> &'static str {
        match self {
            Program::General => "general",
            Program::One => "one",
            Program::Fade => "fade",
            Program::FadeIn => "fade_in",
            Program::FadeOut => "fade_out",
        }
    }
}

/// Which page a texture binding of the pass reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// Neither: a placeholder that is not read.
    Unused,
    From,
    To,
}

/// How the pass draws one frame of the screen.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Plan {
    pub program: Program,
    /// What the first and the second texture bindings read.
    pub textures: [Side; 2],
}

/// The cheapest program that draws `params` exactly as the general one would.
pub fn plan(params: &ScreenMixParams) -> Plan {
    let [e, slide, from, to] = params.state.to_array();
    let (from, to) = (from > 0.5, to > 0.5);
    let plan = |program, textures| Plan { program, textures };
    if slide > 0.5 || !(from || to) {
        plan(Program::General, [Side::From, Side::To])
    } else if to && e >= 1.0 {
        plan(Program::One, [Side::Unused, Side::To])
    } else if from && e <= 0.0 {
        plan(Program::One, [Side::Unused, Side::From])
    } else if from && to {
        plan(Program::Fade, [Side::From, Side::To])
    } else if to {
        plan(Program::FadeIn, [Side::Unused, Side::To])
    } else {
        plan(Program::FadeOut, [Side::From, Side::Unused])
    }
}

impl SpecializedRenderPipeline for ScreenMixPipeline {
    /// The output's format and the program.
    type Key = (TextureFormat, Program);

    fn specialize(&self, (format, program): Self::Key) -> RenderPipelineDescriptor {
        RenderPipelineDescriptor {
            label: Some("vitrin screen".into()),
            layout: vec![self.layout.clone()],
            vertex: self.fullscreen.to_vertex_state(),
            fragment: Some(FragmentState {
                shader: SCREEN_MIX_SHADER,
                entry_point: Some(program.entry_point().into()),
                targets: vec![Some(ColorTargetState {
                    format,
                    blend: None,
                    write_mask: ColorWrites::ALL,
                })],
                ..default()
            }),
            ..default()
        }
    }
}

/// The screen camera's pipelines, one for each program, for its output's format.
#[derive(Component, Debug)]
struct ScreenPipelineIds(TextureFormat, [CachedRenderPipelineId; Program::ALL.len()]);

impl ScreenPipelineIds {
    fn get(&self, program: Program) -> CachedRenderPipelineId {
        self.1[Program::ALL
            .iter()
            .position(|&p| p == program)
            .expect("every program")]
    }
}

#[derive(Resource, Default)]
struct ScreenMixBuffer(UniformBuffer<ScreenMixParams>);

/// The pass's bind group and program this frame (none when a page it needs is not on the GPU).
#[derive(Resource, Default)]
struct ScreenMixBindGroup(Option<(BindGroup, Program)>);

/// Picks the pipeline for the screen camera's output and binds this frame's pages.
#[allow(clippy::too_many_arguments)]
fn prepare_screen(
    mut commands: Commands,
    views: Query<(
        Entity,
        &ViewTarget,
        &ExtractedCamera,
        Option<&ScreenPipelineIds>,
    )>,
    mix: Res<ScreenMix>,
    pipeline: Res<ScreenMixPipeline>,
    mut pipelines: ResMut<SpecializedRenderPipelines<ScreenMixPipeline>>,
    pipeline_cache: Res<PipelineCache>,
    images: Res<RenderAssets<GpuImage>>,
    fallback: Res<FallbackImage>,
    device: Res<RenderDevice>,
    queue: Res<RenderQueue>,
    mut buffer: ResMut<ScreenMixBuffer>,
    mut bind_group: ResMut<ScreenMixBindGroup>,
) {
    let graph = ScreenGraph.intern();
    let mut active = false;
    for (entity, target, camera, id) in &views {
        if camera.schedule != graph {
            continue;
        }
        active = true;
        let Some(format) = target.out_texture_view_format() else {
            continue;
        };
        if id.is_none_or(|id| id.0 != format) {
            // Every program at once: they compile while the first page is drawn.
            let ids = Program::ALL
                .map(|program| pipelines.specialize(&pipeline_cache, &pipeline, (format, program)));
            commands
                .entity(entity)
                .insert(ScreenPipelineIds(format, ids));
        }
    }
    if !active {
        // Nothing holds the pages while the screen is still.
        bind_group.0 = None;
        return;
    }
    let plan = plan(&mix.params);
    let page = |side: Side| match side.page(&mix) {
        None => Some(&fallback.d2.texture_view),
        Some(id) => images.get(id).map(|image| &image.texture_view),
    };
    let (Some(first), Some(second)) = (page(plan.textures[0]), page(plan.textures[1])) else {
        tracing::debug!("a page on screen is not on the GPU yet");
        bind_group.0 = None;
        return;
    };
    buffer.0.set(mix.params);
    buffer.0.write_buffer(&device, &queue);
    let Some(params) = buffer.0.binding() else {
        bind_group.0 = None;
        return;
    };
    let group = device.create_bind_group(
        "vitrin screen",
        &pipeline_cache.get_bind_group_layout(&pipeline.layout),
        &BindGroupEntries::sequential((params, first, second, &pipeline.nearest)),
    );
    bind_group.0 = Some((group, plan.program));
}

impl Side {
    fn page(self, mix: &ScreenMix) -> Option<AssetId<Image>> {
        match self {
            Side::Unused => None,
            Side::From => mix.from,
            Side::To => mix.to,
        }
    }
}

/// The pass: every pixel of the output, once.
fn draw_screen(
    view: ViewQuery<(&ViewTarget, &ExtractedCamera, &ScreenPipelineIds)>,
    pipeline_cache: Res<PipelineCache>,
    bind_group: Res<ScreenMixBindGroup>,
    mix: Res<ScreenMix>,
    mut ctx: RenderContext,
) {
    let (target, camera, ids) = view.into_inner();
    let Some((bind_group, program)) = &bind_group.0 else {
        // Nothing is drawn, and nothing presented: the window keeps its picture.
        tracing::trace!("screen pass: pages not on the GPU yet");
        return;
    };
    // The general program draws every frame the others do; it stands in while theirs compile.
    let Some((pipeline, program)) = [*program, Program::General]
        .into_iter()
        .find_map(|p| Some((pipeline_cache.get_render_pipeline(ids.get(p))?, p)))
    else {
        tracing::trace!("screen pass: no pipeline yet");
        return;
    };
    tracing::trace!(?program, "screen pass");
    // The triangle covers every pixel; the clear only spares wgpu from zeroing a fresh picture.
    let bar = LinearRgba::from_vec4(mix.params.bar_color);
    let Some(attachment) = target.out_texture_color_attachment(Some(bar)) else {
        return;
    };
    let mut pass = ctx
        .command_encoder()
        .begin_render_pass(&RenderPassDescriptor {
            label: Some("vitrin screen"),
            color_attachments: &[Some(attachment)],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
    if program != Program::General
        && let Some(size) = camera.physical_target_size
    {
        // Only the pages' part of the output: the touch bar below them is the clear colour.
        let covered = mix.params.size.z.min(size.y as f32);
        pass.set_viewport(0.0, 0.0, size.x as f32, covered, 0.0, 1.0);
    }
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind_group, &[]);
    pass.draw(0..3, 0..1);
}

/// bevy keeps the textures of a camera that stopped drawing (a 2D camera's intermediate colour
/// textures and its depth texture: three whole screens of memory, in software rendering main
/// memory), and a drawn page's camera rests for as long as its page is held. They are let go
/// here; a camera that draws again gets them anew.
fn release_idle_views(
    mut commands: Commands,
    idle: Query<Entity, (With<ViewTarget>, Without<ExtractedCamera>)>,
) {
    for entity in &idle {
        commands
            .entity(entity)
            .remove::<(ViewTarget, ViewDepthTexture)>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(e: f32, slide: bool, from: bool, to: bool) -> ScreenMixParams {
        let flag = |b: bool| f32::from(u8::from(b));
        ScreenMixParams {
            state: Vec4::new(e, flag(slide), flag(from), flag(to)),
            ..default()
        }
    }

    #[test]
    fn each_frame_gets_the_cheapest_program_that_draws_it() {
        use Side::*;
        let cases = [
            // A page at rest, and the ends of a crossfade: one read.
            (params(1.0, false, false, true), Program::One, [Unused, To]),
            (params(1.0, false, true, true), Program::One, [Unused, To]),
            (params(0.0, false, true, true), Program::One, [Unused, From]),
            (params(0.5, false, true, true), Program::Fade, [From, To]),
            // The first page over the brand's colour, the last one out to black.
            (
                params(0.0, false, false, true),
                Program::FadeIn,
                [Unused, To],
            ),
            (
                params(0.3, false, false, true),
                Program::FadeIn,
                [Unused, To],
            ),
            (
                params(0.3, false, true, false),
                Program::FadeOut,
                [From, Unused],
            ),
            (
                params(0.0, false, true, false),
                Program::One,
                [Unused, From],
            ),
            // Slides and colours alone: the general program.
            (params(0.5, true, true, true), Program::General, [From, To]),
            (params(1.0, true, true, true), Program::General, [From, To]),
            (
                params(0.5, false, false, false),
                Program::General,
                [From, To],
            ),
        ];
        for (params, program, textures) in cases {
            assert_eq!(
                plan(&params),
                Plan { program, textures },
                "{:?}",
                params.state
            );
        }
    }
}
