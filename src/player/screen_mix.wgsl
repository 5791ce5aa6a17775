// Draws the screen (vitrin's compositor): one page, or two in a transition, straight into the
// window's picture. One full-screen triangle, one pass: each pixel reads its texel of each page
// it needs at the texel's centre with a nearest sampler (no filtering: pages are shown exactly as
// drawn) and is written once. Below the pages, on a touch screen, is the touch bar's colour.
//
// `general` draws every frame. The others each draw one common kind of frame with fewer reads
// and no choices, over the pages' part of the output only (the pass's viewport; the clear colour
// is the touch bar's): in software rendering every read and every choice is CPU time.

#import bevy_core_pipeline::fullscreen_vertex_shader::FullscreenVertexOutput

struct ScreenMix {
    // Shown where there is no page before, and where there is none after (linear RGBA).
    from_color: vec4<f32>,
    to_color: vec4<f32>,
    // Below the pages (the touch bar's background).
    bar_color: vec4<f32>,
    // x: eased progress, 0 to 1; y: 1 for a slide; z: 1 with a page before; w: 1 with one after.
    state: vec4<f32>,
    // x: the pages' width in texels; z: the part of the output's height they cover; w: the
    // output's height (the same, unless there is a touch bar below the pages).
    size: vec4<f32>,
};

@group(0) @binding(0) var<uniform> mix_: ScreenMix;
@group(0) @binding(1) var from_page: texture_2d<f32>;
@group(0) @binding(2) var to_page: texture_2d<f32>;
@group(0) @binding(3) var nearest: sampler;

// One page as it is: a page at rest, the first and last frames of a crossfade.
@fragment
fn one(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    return textureSample(to_page, nearest, in.uv);
}

// A crossfade of two pages.
@fragment
fn fade(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    let a = textureSample(from_page, nearest, in.uv);
    let b = textureSample(to_page, nearest, in.uv);
    return mix(a, b, mix_.state.x);
}

// The first page fading in over the colour before it.
@fragment
fn fade_in(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    return mix(mix_.from_color, textureSample(to_page, nearest, in.uv), mix_.state.x);
}

// The last page fading out to black (the screen blanking).
@fragment
fn fade_out(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    return mix(textureSample(from_page, nearest, in.uv), mix_.to_color, mix_.state.x);
}

// Every frame: slides, the touch bar, colours where a page is missing.
@fragment
fn general(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    // How far down the pages' part of the output this pixel is (past 1: the bar below them).
    let v = in.uv.y * (mix_.size.w / mix_.size.z);
    if v >= 1.0 {
        return mix_.bar_color;
    }
    let e = mix_.state.x;
    let slide = mix_.state.y > 0.5;
    // A slide moves the page before out to the left by whole pixels (x is where this pixel is on
    // it) as the one after comes in from the right. Both pages are read and the choice made
    // after, without branches: a software renderer shades many pixels at once, and a branch
    // costs it more than a second read.
    let x = select(in.uv.x, in.uv.x + round(e * mix_.size.x) / mix_.size.x, slide);
    let a = textureSample(from_page, nearest, vec2<f32>(x, v));
    let b = textureSample(to_page, nearest, vec2<f32>(select(x, x - 1.0, slide), v));
    let before = select(mix_.from_color, a, mix_.state.z > 0.5);
    let after = select(mix_.to_color, b, mix_.state.w > 0.5);
    let slid = select(after, before, x < 1.0);
    return select(mix(before, after, e), slid, slide);
}
