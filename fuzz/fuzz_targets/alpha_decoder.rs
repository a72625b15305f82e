//! An Alpha sign fed anything: the packet decoder takes every byte, every command it hands
//! over is filed by an emulated sign and what the sign shows is worked out; a command whose
//! checksum held, written again by the encoder, decodes to itself.

#![no_main]

use callboard_core::alpha::packet::PacketWriter;
use callboard_core::alpha::sign::{EmulatedSign, PacketDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = PacketDecoder::<256>::new();
    let mut sign = EmulatedSign::<256>::new();
    for &byte in data {
        let Some(received) = decoder.feed(byte) else { continue };
        assert!(received.data.len() <= 256);
        if received.checksum_ok == Some(true) && received.type_code.is_ascii_graphic() {
            let mut buffer = [0_u8; 512];
            let mut packet = PacketWriter::new(&mut buffer, received.type_code, received.address)
                .expect("a header always fits");
            // Data the decoder hands over never holds a framing byte.
            packet.command(received.code, &[received.data]).expect("a clean command fits");
            let len = packet.finish().expect("EOT fits");
            let mut again = PacketDecoder::<256>::new();
            let decoded: Vec<_> = buffer[..len]
                .iter()
                .filter_map(|&b| again.feed(b).map(|r| (r.code, r.data.to_vec(), r.checksum_ok)))
                .collect();
            assert_eq!(decoded, [(received.code, received.data.to_vec(), Some(true))]);
        }
        sign.apply(&received);
    }
    let pages = sign.pages::<128>(b'A');
    for page in &pages {
        assert_eq!(page.text.chars().count(), page.colours.len());
    }
});
