// Draws the screen (vitrin's compositor): one page, or two in a transition, straight into the
// window's picture. One full-screen triangle, one pass: each pixel reads its texel of each page
// by its integer position (no sampler, no filtering: pages are shown exactly as drawn) and is
// written once. Below the pages, on a touch screen, is the touch bar's colour.

#import bevy_core_pipeline::fullscreen_vertex_shader::FullscreenVertexOutput

struct ScreenMix {
    // Shown where there is no page before, and where there is none after (linear RGBA).
    from_color: vec4<f32>,
    to_color: vec4<f32>,
    // Below the pages (the touch bar's background).
    bar_color: vec4<f32>,
    // x: eased progress, 0 to 1; y: 1 for a slide; z: 1 with a page before; w: 1 with one after.
    state: vec4<f32>,
    // x, y: the pages' width and height in texels; z, w: the width and height they cover here,
    // in pixels (the same, unless the window changed size: then pages show stretched).
    size: vec4<f32>,
};

@group(0) @binding(0) var<uniform> mix_: ScreenMix;
@group(0) @binding(1) var from_page: texture_2d<f32>;
@group(0) @binding(2) var to_page: texture_2d<f32>;

fn texel(page: texture_2d<f32>, p: vec2<i32>) -> vec4<f32> {
    let last = vec2<i32>(textureDimensions(page)) - vec2<i32>(1, 1);
    return textureLoad(page, clamp(p, vec2<i32>(0, 0), last), 0);
}

@fragment
fn fragment(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    let pos = in.position.xy;
    if pos.y >= mix_.size.w {
        return mix_.bar_color;
    }
    // Pixel centres (x + 0.5) map to texel x when the sizes match.
    let p = vec2<i32>(floor(pos * mix_.size.xy / mix_.size.zw));
    let width = i32(mix_.size.x);
    let e = mix_.state.x;
    let slide = mix_.state.y > 0.5;
    // A slide moves the page before out to the left by whole pixels (x is where this pixel is on
    // it) as the one after comes in from the right. Both pages are read and the choice made
    // after, without branches: a software renderer shades many pixels at once, and a branch
    // costs it more than a second read.
    let x = select(p.x, p.x + i32(round(e * mix_.size.x)), slide);
    let a = texel(from_page, vec2<i32>(x, p.y));
    let b = texel(to_page, vec2<i32>(select(x, x - width, slide), p.y));
    let before = select(mix_.from_color, a, mix_.state.z > 0.5);
    let after = select(mix_.to_color, b, mix_.state.w > 0.5);
    let slid = select(after, before, x < width);
    return select(mix(before, after, e), slid, slide);
}
