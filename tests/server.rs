//! A small HTTP/1.1 file server on 127.0.0.1 that serves a feed folder correctly (ETag,
//! `If-None-Match`, `Range`) and misbehaves on purpose when told to.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// How the server treats requests for blobs (and, for `Error500`, everything).
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    Normal,
    /// Every request: 500.
    Error500,
    /// Blobs: 404.
    Blob404,
    /// Blobs: the right length announced, half of it sent, then the connection closed.
    Truncate,
    /// Blobs: other bytes of the same length.
    WrongBytes,
    /// Blobs: one byte every so often.
    Drip(Duration),
    /// Blobs: the connection closed without an answer.
    Reset,
    /// Blobs: `Range` ignored, always 200 with the whole blob.
    IgnoreRange,
    /// Blobs: the first `n` requests answered 503 with `Retry-After: seconds`.
    Busy {
        n: usize,
        seconds: u64,
    },
    /// Blobs: sent in 16 KiB pieces with a pause after each.
    Throttle(Duration),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub status: u16,
    pub range: Option<String>,
}

pub struct Server {
    pub port: u16,
    behaviour: Arc<Mutex<Behaviour>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `root` on a free port of 127.0.0.1.
    pub fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let behaviour = Arc::new(Mutex::new(Behaviour::Normal));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s, st, r) = (behaviour.clone(), seen.clone(), stop.clone(), root);
        std::thread::spawn(move || {
            let busy_count = Arc::new(Mutex::new(0usize));
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (b, s, r, busy) = (b.clone(), s.clone(), r.clone(), busy_count.clone());
                        std::thread::spawn(move || {
                            let _ = stream.set_nonblocking(false);
                            let _ = serve(stream, &r, &b, &s, &busy);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            behaviour,
            seen,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn set(&self, b: Behaviour) {
        *self.behaviour.lock().unwrap() = b;
    }

    /// Requests since the last call.
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag and the port closes.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn partial_head(stream: &mut TcpStream, start: usize, len: usize) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{len}\r\nConnection: close\r\n\r\n",
        len - start,
        len - 1
    )
}

fn serve(
    stream: TcpStream,
    root: &std::path::Path,
    behaviour: &Mutex<Behaviour>,
    seen: &Mutex<Vec<Seen>>,
    busy: &Mutex<usize>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range = None;
    let mut if_none_match = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        let (name, value) = h.split_once(':').unwrap_or((&h, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "range" => range = Some(value.trim().to_string()),
            "if-none-match" => if_none_match = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut stream = stream;
    let behaviour = behaviour.lock().unwrap().clone();
    let is_blob = path.starts_with("/blobs/");
    let record = |status: u16| {
        seen.lock().unwrap().push(Seen {
            path: path.clone(),
            status,
            range: range.clone(),
        })
    };
    if behaviour == Behaviour::Error500 {
        record(500);
        return write!(
            stream,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    let file = root.join(path.trim_start_matches('/'));
    let body = match (path.contains(".."), std::fs::read(&file)) {
        (false, Ok(b)) => b,
        _ => {
            record(404);
            return write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    };
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
    if !is_blob || behaviour == Behaviour::Normal {
        if if_none_match.as_deref() == Some(etag.as_str()) {
            record(304);
            return write!(
                stream,
                "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
            );
        }
        if let (true, Some(r)) = (is_blob, &range) {
            let start: usize = r
                .trim_start_matches("bytes=")
                .trim_end_matches('-')
                .parse()
                .unwrap_or(0);
            if start < body.len() {
                record(206);
                partial_head(&mut stream, start, body.len())?;
                return stream.write_all(&body[start..]);
            }
        }
        record(200);
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        return stream.write_all(&body);
    }
    let ok_head = |stream: &mut TcpStream, len: usize| {
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    };
    match behaviour {
        Behaviour::Blob404 => {
            record(404);
            write!(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        Behaviour::Truncate => {
            record(200);
            ok_head(&mut stream, body.len())?;
            stream.write_all(&body[..body.len() / 2])?;
            stream.flush()
        }
        Behaviour::WrongBytes => {
            record(200);
            ok_head(&mut stream, body.len())?;
            let wrong: Vec<u8> = body.iter().map(|b| b ^ 0x5a).collect();
            stream.write_all(&wrong)
        }
        Behaviour::Drip(every) => {
            record(200);
            ok_head(&mut stream, body.len())?;
            for b in &body {
                stream.write_all(&[*b])?;
                stream.flush()?;
                std::thread::sleep(every);
            }
            Ok(())
        }
        Behaviour::Reset => {
            record(0);
            drop(stream);
            Ok(())
        }
        Behaviour::IgnoreRange => {
            record(200);
            ok_head(&mut stream, body.len())?;
            stream.write_all(&body)
        }
        Behaviour::Busy { n, seconds } => {
            let mut count = busy.lock().unwrap();
            if *count < n {
                *count += 1;
                record(503);
                return write!(
                    stream,
                    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {seconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
            drop(count);
            record(200);
            ok_head(&mut stream, body.len())?;
            stream.write_all(&body)
        }
        Behaviour::Throttle(pause) => {
            let start: usize = range
                .as_deref()
                .map(|r| r.trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap_or(0))
                .unwrap_or(0)
                .min(body.len());
            if start > 0 {
                record(206);
                partial_head(&mut stream, start, body.len())?;
            } else {
                record(200);
                ok_head(&mut stream, body.len())?;
            }
            for chunk in body[start..].chunks(16 * 1024) {
                stream.write_all(chunk)?;
                std::thread::sleep(pause);
            }
            Ok(())
        }
        Behaviour::Normal | Behaviour::Error500 => unreachable!(),
    }
    .map(|_| {
        let _ = reader.read(&mut [0u8; 0]);
    })
}
