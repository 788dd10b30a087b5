//! A string seen as what the bit and HyperLogLog commands see in it: a grid of its bits,
//! numbered as SETBIT numbers them, with what BITCOUNT would answer for the whole string and
//! for the page; or, for a string with the `HYLL` header, its encoding, the estimate PFCOUNT
//! would answer with its standard error, and the histogram of its 16,384 registers, the very
//! numbers the estimate is computed from.

use leptos::prelude::*;

use crate::i18n::{fill, fill_range, put};
use crate::state::Shared;
use keyspace_protocol::console::typed_arg;
use keyspace_protocol::inspect::{Bitmap, Registers, BITS_PER_ROW};

/// A page of bits from byte `offset`, rows of [`BITS_PER_ROW`] with the first bit's offset at
/// the left, each byte a group of eight; the bits the last command flipped are marked.
pub fn bitmap_view(key: String, bitmap: Bitmap, offset: usize, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let Bitmap {
        bytes,
        changed,
        ones,
        ones_in_page,
    } = bitmap;
    let row_bytes = BITS_PER_ROW / 8;
    let last_byte = (offset + bytes.len()).saturating_sub(1);
    let rows = bytes
        .chunks(row_bytes)
        .zip(changed.chunks(row_bytes))
        .enumerate()
        .map(|(row, (bytes, changed))| {
            let first_bit = (offset + row * row_bytes) * 8;
            let groups = bytes
                .iter()
                .zip(changed)
                .enumerate()
                .map(|(b, (&byte, &flipped))| {
                    let cells = (0..8)
                        .map(|i| {
                            let mask = 0x80 >> i;
                            let bit = first_bit + b * 8 + i;
                            let one = byte & mask != 0;
                            let title = move || {
                                format!("{} = {}", fill(text().keyspace.bit_title, bit), u8::from(one))
                            };
                            view! {
                                <span class="bit" class:one=one class:changed=flipped & mask != 0 title=title></span>
                            }
                        })
                        .collect_view();
                    view! { <span class="byte">{cells}</span> }
                })
                .collect_view();
            view! {
                <div class="bit-row">
                    <span class="bit-offset">{first_bit}</span>
                    {groups}
                </div>
            }
        })
        .collect_view();
    let whole = format!("BITCOUNT {}", typed_arg(&key));
    let page = format!("BITCOUNT {} {offset} {last_byte}", typed_arg(&key));
    view! {
        <p class="legend">{move || text().keyspace.bits_legend}</p>
        <div class="bit-grid" role="img" aria-label=move || text().keyspace.form_bits>{rows}</div>
        <dl class="bit-counts">
            <div>
                <dt><code>{whole}</code></dt>
                <dd><strong>{ones}</strong> " " {move || text().keyspace.bits_whole}</dd>
            </div>
            <div>
                <dt><code>{page}</code></dt>
                <dd>
                    <strong>{ones_in_page}</strong> " "
                    {move || fill_range(text().keyspace.bits_page, offset, last_byte, 0)}
                </dd>
            </div>
        </dl>
    }
}

/// A HyperLogLog's encoding, its estimate and the histogram of its registers, on a scale
/// that shows the few high registers beside the thousands at zero.
pub fn hll_view(key: String, registers: Registers, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let Registers::Valid {
        encoding,
        histogram,
        estimate,
        cached,
    } = registers
    else {
        return view! { <p class="hll-corrupted">{move || text().keyspace.hll_corrupted}</p> }
            .into_any();
    };
    let dense = encoding == "dense";
    let error = (estimate as f64 * 0.0081).round() as u64;
    let most = histogram.iter().copied().max().unwrap_or(1).max(1);
    let scale = |n: u32| f64::from(n).ln_1p() / f64::from(most).ln_1p() * 100.0;
    let bars = histogram
        .into_iter()
        .enumerate()
        .map(|(value, n)| {
            view! {
                <tr class:empty=n == 0>
                    <td class="num">{value}</td>
                    <td class="hll-bar">
                        <span class="bar"><span class="fill" style:width=format!("{:.1}%", scale(n))></span></span>
                    </td>
                    <td class="num">{n}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hll-estimate">
            <code>{format!("PFCOUNT {}", typed_arg(&key))}</code> " → " <strong>{estimate}</strong> " · "
            <span>{move || put(text().keyspace.hll_error, "e", &error.to_string())}</span>
        </p>
        <p class="legend">
            {move || if dense { text().keyspace.hll_dense } else { text().keyspace.hll_sparse }}
        </p>
        <p class="legend">
            {move || if cached.is_some() { text().keyspace.hll_cached } else { text().keyspace.hll_stale }}
        </p>
        <p class="legend">{move || text().keyspace.hll_histogram}</p>
        <table class="ranked hll-histogram">
            <thead>
                <tr>
                    <th class="num">{move || text().keyspace.hll_value}</th>
                    <th></th>
                    <th class="num">{move || text().keyspace.hll_registers}</th>
                </tr>
            </thead>
            <tbody>{bars}</tbody>
        </table>
    }
    .into_any()
}
