// Shows finished pages on screen (vitrin's compositor): one page, or two in a transition. Pages
// are as large as the quad: each pixel reads its page's texel at its centre, with a nearest
// sampler, so the page shows exactly as drawn.

#import bevy_sprite::mesh2d_vertex_output::VertexOutput

struct PageMix {
    // Shown where there is no page before, and where there is none after (linear RGBA).
    from_color: vec4<f32>,
    to_color: vec4<f32>,
    // x: eased progress, 0 to 1; y: 1 for a slide; z: 1 with a page before; w: 1 with one after.
    state: vec4<f32>,
    // x: the page's width in pixels.
    size: vec4<f32>,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> page_mix: PageMix;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var from_page: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var from_sampler: sampler;
@group(#{MATERIAL_BIND_GROUP}) @binding(3) var to_page: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(4) var to_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    // Both pages are read for every pixel and the choice made after, without branches: a
    // software renderer runs a shader on many pixels at once, and branches cost it more than a
    // second read. The quad is as large as the pages, so its texture coordinates fall on texel
    // centres (a window that changed size shows the pages stretched until the next one).
    let uv = in.uv;
    let e = page_mix.state.x;
    let slide = page_mix.state.y > 0.5;
    // A slide moves the page before out to the left by whole pixels (x is where this pixel is
    // on it) as the one after comes in from the right.
    let x = select(uv.x, uv.x + round(e * page_mix.size.x) / page_mix.size.x, slide);
    let a = textureSample(from_page, from_sampler, vec2<f32>(x, uv.y));
    let b = textureSample(to_page, to_sampler, vec2<f32>(select(x, x - 1.0, slide), uv.y));
    let before = select(page_mix.from_color, a, page_mix.state.z > 0.5);
    let after = select(page_mix.to_color, b, page_mix.state.w > 0.5);
    let slid = select(after, before, x < 1.0);
    return select(mix(before, after, e), slid, slide);
}
