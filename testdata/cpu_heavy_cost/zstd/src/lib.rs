//! The names of the zstd crate's API the fixture calls; no compression.

use std::io::{self, Read};

pub fn encode_all<R: Read>(mut source: R, _level: i32) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    source.read_to_end(&mut out)?;
    Ok(out)
}

pub struct Decoder<R>(R);

impl<R: Read> Decoder<R> {
    pub fn new(reader: R) -> io::Result<Decoder<R>> {
        Ok(Decoder(reader))
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
