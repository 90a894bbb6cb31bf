//! The `amp_model` network on a Cortex-M4F (QEMU's mps2-an386): weights
//! baked into flash by `include_weights!`, one sample at a time through
//! `stream.step`, the result printed over semihosting.
//!
//! Run: `tools/embedded.sh` (installs QEMU, builds, runs, compares with the
//! host).

#![no_std]
#![no_main]

extern crate alloc;

mod amp;

use core::mem::MaybeUninit;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embedded_alloc::LlffHeap as Heap;

#[global_allocator]
static HEAP: Heap = Heap::empty();

/// Bytes the heap may use: the network's tensors and streaming state.
const HEAP_SIZE: usize = 64 * 1024;

#[entry]
fn main() -> ! {
    // `entry` turns this into the one `&'static mut` to it.
    static mut HEAP_MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once, before anything allocates, with memory nothing
    // else refers to.
    unsafe { HEAP.init(HEAP_MEMORY.as_mut_ptr() as usize, HEAP_SIZE) }

    let net: amp::AmpModel = typenet::include_weights!(amp::AmpModel, "amp.safetensors");
    let report = amp::run(&net);
    hprintln!("samples: {}", amp::SAMPLES);
    hprintln!("ESR: {:.6}", report.esr);
    hprintln!("checksum: {:08x}", report.checksum);
    hprintln!("heap used: {} bytes", HEAP.used());
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
