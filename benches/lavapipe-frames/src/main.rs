//! What one full-screen frame costs in CPU under a software renderer, for each way a screen's frame
//! could be drawn: one colour, a copy of a page, a crossfade of two pages, in sRGB or plain 8-bit
//! formats. vitrin's README quotes its figures (Performance) to show where lavapipe's floor is.
//!
//! ```text
//! . .ci/env    # software rendering: Mesa's lavapipe
//! cargo run --release --manifest-path benches/lavapipe-frames/Cargo.toml -- [--frames 60] [--size 1920x1080]
//! ```
//!
//! Each case draws `--frames` frames offscreen, one after the other, each submitted and waited for,
//! and prints the process's CPU time and the wall-clock time per frame. Pages are generated.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use wgpu::TextureFormat::{self, Bgra8Unorm, Bgra8UnormSrgb, Rgba8Unorm, Rgba8UnormSrgb};

/// How a frame is drawn.
struct Case {
    name: &'static str,
    /// The pages' format, and the format they are read through.
    page: TextureFormat,
    read: TextureFormat,
    /// The output's format.
    target: TextureFormat,
    /// Six vertices (a rectangle of two triangles) instead of one triangle.
    rectangle: bool,
    /// The fragment program, and a second one blended over it (premultiplied alpha), if any. No
    /// program: the frame is written into the output with `write_texture` instead (a frame
    /// composed on the CPU, copied in without a draw).
    program: &'static str,
    blended: Option<&'static str>,
}

const fn case(
    name: &'static str,
    (page, read, target): (TextureFormat, TextureFormat, TextureFormat),
    program: &'static str,
) -> Case {
    Case {
        name,
        page,
        read,
        target,
        rectangle: false,
        program,
        blended: None,
    }
}

/// sRGB pages read as sRGB into an sRGB output: what vitrin's screen pass does.
const SRGB: (TextureFormat, TextureFormat, TextureFormat) =
    (Rgba8UnormSrgb, Rgba8UnormSrgb, Bgra8UnormSrgb);
/// Plain 8-bit pages and output in the window's byte order.
const PLAIN: (TextureFormat, TextureFormat, TextureFormat) = (Bgra8Unorm, Bgra8Unorm, Bgra8Unorm);

const CASES: &[Case] = &[
    case("one colour, sRGB output", SRGB, "colour"),
    case("one colour, plain output", PLAIN, "colour"),
    case("copy, sRGB (sampler)", SRGB, "copy"),
    case("copy, sRGB (textureLoad)", SRGB, "copy_load"),
    case(
        "copy, RGBA read plainly into plain BGRA",
        (Rgba8UnormSrgb, Rgba8Unorm, Bgra8Unorm),
        "copy",
    ),
    case("copy, plain", PLAIN, "copy"),
    Case {
        rectangle: true,
        ..case("copy, plain, as a rectangle", PLAIN, "copy")
    },
    case("crossfade, sRGB", SRGB, "fade"),
    case("crossfade, plain", PLAIN, "fade"),
    Case {
        blended: Some("weighted"),
        ..case("crossfade, plain, copy + blended draw", PLAIN, "copy")
    },
    case("crossfade from storage buffers, sRGB", SRGB, "fade_words"),
    case("no draw: a frame copied in, plain", PLAIN, ""),
];

fn main() {
    let mut frames = 60u32;
    let (mut width, mut height) = (1920u32, 1080u32);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match arg.as_str() {
            "--frames" => frames = value.parse().expect("--frames N"),
            "--size" => {
                let (w, h) = value.split_once('x').expect("--size WxH");
                (width, height) = (w.parse().expect("width"), h.parse().expect("height"));
            }
            _ => {
                eprintln!("usage: lavapipe-frames [--frames 60] [--size 1920x1080]");
                std::process::exit(2);
            }
        }
    }
    let bench = Bench::new(width, height);
    println!(
        "{} ({width}x{height}, {frames} frames a case)",
        bench.adapter
    );
    println!("{:44} {:>12} {:>12}", "frame", "CPU ms", "wall ms");
    for case in CASES {
        let (cpu, wall) = bench.run(case, frames);
        println!("{:44} {cpu:12.1} {wall:12.1}", case.name);
    }
}

struct Bench {
    adapter: String,
    device: wgpu::Device,
    queue: wgpu::Queue,
    module: wgpu::ShaderModule,
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    uniform: wgpu::Buffer,
    linear: wgpu::Buffer,
    nearest: wgpu::Sampler,
    width: u32,
    height: u32,
}

impl Bench {
    fn new(width: u32, height: u32) -> Self {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::VULKAN,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter = block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
            .expect("a Vulkan device (under `. .ci/env`, lavapipe)");
        let (device, queue) =
            block_on(adapter.request_device(&wgpu::DeviceDescriptor::default())).expect("a device");
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("frames"),
            source: wgpu::ShaderSource::Wgsl(include_str!("frames.wgsl").into()),
        });
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let entry = |binding, ty| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: fragment,
            ty,
            count: None,
        };
        let page = wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: false },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        };
        let words = wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only: true },
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: None,
            entries: &[
                entry(
                    0,
                    wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                ),
                entry(1, page),
                entry(2, page),
                entry(
                    3,
                    wgpu::BindingType::Sampler(wgpu::SamplerBindingType::NonFiltering),
                ),
                entry(4, words),
                entry(5, words),
                entry(6, words),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: None,
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let table: Vec<u8> = (0..256)
            .flat_map(|i| {
                let c = f64::from(i) / 255.0;
                let l = if c <= 0.04045 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                };
                (l as f32).to_ne_bytes()
            })
            .collect();
        let linear = storage(&device, &queue, &table);
        let nearest = device.create_sampler(&wgpu::SamplerDescriptor::default());
        Bench {
            adapter: adapter.get_info().name,
            device,
            queue,
            module,
            layout,
            pipeline_layout,
            uniform,
            linear,
            nearest,
            width,
            height,
        }
    }

    /// A generated page: `seed` makes the two pages differ.
    fn pixels(&self, seed: u8) -> Vec<u8> {
        (0..self.width * self.height * 4)
            .map(|i| (i as u8).wrapping_mul(seed) ^ (i >> 13) as u8)
            .collect()
    }

    fn page(&self, format: TextureFormat, read: TextureFormat, seed: u8) -> wgpu::TextureView {
        let reads = [read];
        let texture = self.device.create_texture(&wgpu::TextureDescriptor {
            label: None,
            size: self.extent(),
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: if read == format { &[] } else { &reads },
        });
        self.queue.write_texture(
            texture.as_image_copy(),
            &self.pixels(seed),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(self.width * 4),
                rows_per_image: None,
            },
            self.extent(),
        );
        texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(read),
            ..Default::default()
        })
    }

    fn extent(&self) -> wgpu::Extent3d {
        wgpu::Extent3d {
            width: self.width,
            height: self.height,
            depth_or_array_layers: 1,
        }
    }

    fn pipeline(
        &self,
        case: &Case,
        program: &str,
        blend: Option<wgpu::BlendState>,
    ) -> wgpu::RenderPipeline {
        let vertex = if case.rectangle {
            "rectangle"
        } else {
            "triangle"
        };
        self.device
            .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(program),
                layout: Some(&self.pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &self.module,
                    entry_point: Some(vertex),
                    compilation_options: Default::default(),
                    buffers: &[],
                },
                fragment: Some(wgpu::FragmentState {
                    module: &self.module,
                    entry_point: Some(program),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: case.target,
                        blend,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                primitive: Default::default(),
                depth_stencil: None,
                multisample: Default::default(),
                multiview_mask: None,
                cache: None,
            })
    }

    fn bind_group(
        &self,
        first: &wgpu::TextureView,
        second: &wgpu::TextureView,
        words: [&wgpu::Buffer; 2],
    ) -> wgpu::BindGroup {
        let view = wgpu::BindingResource::TextureView;
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &self.layout,
            entries: &[
                (0, self.uniform.as_entire_binding()),
                (1, view(first)),
                (2, view(second)),
                (3, wgpu::BindingResource::Sampler(&self.nearest)),
                (4, words[0].as_entire_binding()),
                (5, words[1].as_entire_binding()),
                (6, self.linear.as_entire_binding()),
            ]
            .map(|(binding, resource)| wgpu::BindGroupEntry { binding, resource }),
        })
    }

    /// CPU and wall-clock milliseconds a frame.
    fn run(&self, case: &Case, frames: u32) -> (f64, f64) {
        let from = self.page(case.page, case.read, 3);
        let to = self.page(case.page, case.read, 7);
        let words = [
            storage(&self.device, &self.queue, &self.pixels(3)),
            storage(&self.device, &self.queue, &self.pixels(7)),
        ];
        let group = self.bind_group(&from, &to, [&words[0], &words[1]]);
        // The page before, as the first draw of a blended crossfade.
        let swapped = self.bind_group(&to, &from, [&words[0], &words[1]]);
        let first = (!case.program.is_empty()).then(|| self.pipeline(case, case.program, None));
        let second = case.blended.map(|program| {
            let over = wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::One,
                dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                operation: wgpu::BlendOperation::Add,
            };
            let blend = wgpu::BlendState {
                color: over,
                alpha: over,
            };
            self.pipeline(case, program, Some(blend))
        });
        let target = self.device.create_texture(&wgpu::TextureDescriptor {
            label: None,
            size: self.extent(),
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: case.target,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let composed = self.pixels(5);
        let output = target.as_image_copy();
        let target = target.create_view(&Default::default());
        let vertices = if case.rectangle { 6 } else { 3 };
        let frame = |i: u32, n: u32| {
            let progress = [i as f32 / n as f32, self.width as f32, 0.0, 0.0];
            let bytes: Vec<u8> = progress.iter().flat_map(|f| f.to_ne_bytes()).collect();
            self.queue.write_buffer(&self.uniform, 0, &bytes);
            let Some(first) = &first else {
                self.queue.write_texture(
                    output,
                    &composed,
                    wgpu::TexelCopyBufferLayout {
                        offset: 0,
                        bytes_per_row: Some(self.width * 4),
                        rows_per_image: None,
                    },
                    self.extent(),
                );
                self.queue.submit([]);
                self.device
                    .poll(wgpu::PollType::wait_indefinitely())
                    .expect("the frame finishes");
                return;
            };
            let mut encoder = self.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: None,
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &target,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                });
                pass.set_pipeline(first);
                let underneath = if second.is_some() { &swapped } else { &group };
                pass.set_bind_group(0, underneath, &[]);
                pass.draw(0..vertices, 0..1);
                if let Some(second) = &second {
                    pass.set_pipeline(second);
                    pass.set_bind_group(0, &group, &[]);
                    pass.draw(0..vertices, 0..1);
                }
            }
            self.queue.submit([encoder.finish()]);
            self.device
                .poll(wgpu::PollType::wait_indefinitely())
                .expect("the frame finishes");
        };
        // Shaders compile on first use: not measured.
        for i in 0..3 {
            frame(i, 3);
        }
        let (cpu, wall) = (cpu_seconds(), Instant::now());
        for i in 0..frames {
            frame(i, frames);
        }
        let per_frame = |s: f64| s * 1000.0 / f64::from(frames);
        (
            per_frame(cpu_seconds() - cpu),
            per_frame(wall.elapsed().as_secs_f64()),
        )
    }
}

fn storage(device: &wgpu::Device, queue: &wgpu::Queue, bytes: &[u8]) -> wgpu::Buffer {
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: bytes.len() as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    queue.write_buffer(&buffer, 0, bytes);
    buffer
}

/// The CPU time this process has had (user and system, from /proc/self/stat), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Clock ticks are a hundredth of a second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// wgpu's native futures are ready when first polled.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
}
