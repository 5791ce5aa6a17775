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
    // x, y: the page's width and height in pixels.
    size: vec4<f32>,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> page_mix: PageMix;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var from_page: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var from_sampler: sampler;
@group(#{MATERIAL_BIND_GROUP}) @binding(3) var to_page: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(4) var to_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    // The quad starts at the frame's top left corner: frame pixels are page pixels. Both pages
    // are read for every pixel and the choice made after, without branches: a software renderer
    // runs a shader on many pixels at once, and branches cost it more than a second read.
    let size = page_mix.size.xy;
    let p = floor(in.position.xy) + vec2<f32>(0.5, 0.5);
    let e = page_mix.state.x;
    let slide = page_mix.state.y > 0.5;
    // A slide moves the page before out to the left (x is where this pixel is on it) as the one
    // after comes in from the right.
    let x = select(p.x, p.x + round(e * size.x), slide);
    let a = textureSample(from_page, from_sampler, vec2<f32>(x, p.y) / size);
    let b = textureSample(to_page, to_sampler, vec2<f32>(select(x, x - size.x, slide), p.y) / size);
    let before = select(page_mix.from_color, a, page_mix.state.z > 0.5);
    let after = select(page_mix.to_color, b, page_mix.state.w > 0.5);
    let slid = select(after, before, x < size.x);
    return select(mix(before, after, e), slid, slide);
}
