// The fragment programs measured by lavapipe-frames, over one full-screen triangle or a rectangle
// of two. `before` and `after` are two pages; `mix_` is a crossfade's progress.

struct Out {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

fn corner(uv: vec2<f32>) -> Out {
    var out: Out;
    out.position = vec4<f32>(uv * vec2<f32>(2.0, -2.0) + vec2<f32>(-1.0, 1.0), 0.0, 1.0);
    out.uv = uv;
    return out;
}

// One triangle that covers the output (as bevy's full-screen shader).
@vertex
fn triangle(@builtin(vertex_index) i: u32) -> Out {
    return corner(vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u)));
}

// A rectangle of two triangles, six vertices.
@vertex
fn rectangle(@builtin(vertex_index) i: u32) -> Out {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    return corner(corners[i]);
}

@group(0) @binding(0) var<uniform> mix_: vec4<f32>;
@group(0) @binding(1) var before: texture_2d<f32>;
@group(0) @binding(2) var after: texture_2d<f32>;
@group(0) @binding(3) var nearest: sampler;
@group(0) @binding(4) var<storage, read> from_words: array<u32>;
@group(0) @binding(5) var<storage, read> to_words: array<u32>;
// sRGB byte to linear value.
@group(0) @binding(6) var<storage, read> linear: array<f32, 256>;

@fragment
fn colour(in: Out) -> @location(0) vec4<f32> {
    return vec4<f32>(0.2, 0.4, 0.6, 1.0);
}

@fragment
fn copy(in: Out) -> @location(0) vec4<f32> {
    return textureSample(after, nearest, in.uv);
}

@fragment
fn copy_load(in: Out) -> @location(0) vec4<f32> {
    return textureLoad(after, vec2<i32>(in.position.xy), 0);
}

@fragment
fn fade(in: Out) -> @location(0) vec4<f32> {
    return mix(textureSample(before, nearest, in.uv), textureSample(after, nearest, in.uv), mix_.x);
}

// The page after, weighted, to be blended over the page before (premultiplied alpha).
@fragment
fn weighted(in: Out) -> @location(0) vec4<f32> {
    return textureSample(after, nearest, in.uv) * vec4<f32>(mix_.x);
}

fn decode(word: u32) -> vec4<f32> {
    return vec4<f32>(linear[word & 255u], linear[(word >> 8u) & 255u], linear[(word >> 16u) & 255u], 1.0);
}

@fragment
fn fade_words(in: Out) -> @location(0) vec4<f32> {
    let p = vec2<u32>(in.position.xy);
    let i = p.y * u32(mix_.y) + p.x;
    return mix(decode(from_words[i]), decode(to_words[i]), mix_.x);
}
