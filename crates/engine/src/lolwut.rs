//! LOLWUT's computer art (Redis's `lolwut.c`, `lolwut5.c`, `lolwut6.c`).
//!
//! Each Redis version since 5 answers LOLWUT with a piece of its own; 7.0 has none and says
//! only its version, but still draws the two before it when asked with `VERSION 5` or
//! `VERSION 6`:
//!
//! - **Version 5** is Georg Nees's *Schotter* (1968): a grid of squares, straight in the first
//!   two rows and more and more rotated and shifted at random further down. The squares are
//!   drawn on a canvas of on/off pixels with Bresenham's lines, and the canvas is written in
//!   Braille characters: each character shows a block of 2×4 pixels, one dot per pixel, so a
//!   terminal line holds four rows of pixels. A Braille character's code is U+2800 plus eight
//!   bits, and the bits do not go row by row: the first three are the left column's top three
//!   dots, the next three the right column's, and the last two the bottom row's left and right.
//! - **Version 6** is a city skyline after an 8-bit game: skyscrapers in two shades of grey
//!   behind, black ones with lit windows in front, on a white sky, each pixel one space drawn
//!   with ANSI colours.
//!
//! The figures are computed as Redis computes them: C's `float` where Redis keeps a `float`
//! (a square's side, its angle and offsets), `double` in between, and truncations where C
//! converts to `int`. The random choices come from the engine's generator where Redis calls
//! `rand()`, which Redis seeds differently every start: its drawings differ from run to run,
//! and so do ours (within a run, ours follow the engine's seed).

use crate::rng::Rng;

/// C's `RAND_MAX` in glibc: `rand()` draws from 0 to this.
const RAND_MAX: i32 = i32::MAX;

/// √2 as Redis writes it, cut after ten decimals: the exact constant could round a square's
/// radius differently.
#[allow(clippy::approx_constant)]
const REDIS_SQRT_2: f64 = 1.4142135623;

/// A draw of C's `rand()`.
fn rand(rng: &mut Rng) -> i32 {
    (rng.next_u64() >> 33) as i32
}

/// A grid of pixels, each a small colour number (`lwCanvas`).
struct Canvas {
    width: i32,
    height: i32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: i32, height: i32, background: u8) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![background; (width.max(0) * height.max(0)) as usize],
        }
    }

    fn contains(&self, x: i32, y: i32) -> bool {
        (0..self.width).contains(&x) && (0..self.height).contains(&y)
    }

    /// Pixels off the canvas are not drawn.
    fn draw(&mut self, x: i32, y: i32, color: u8) {
        if self.contains(x, y) {
            self.pixels[(x + y * self.width) as usize] = color;
        }
    }

    /// Pixels off the canvas read as 0.
    fn get(&self, x: i32, y: i32) -> u8 {
        match self.contains(x, y) {
            true => self.pixels[(x + y * self.width) as usize],
            false => 0,
        }
    }

    /// Bresenham's line, both ends included.
    fn line(&mut self, (mut x1, mut y1): (i32, i32), (x2, y2): (i32, i32), color: u8) {
        let (dx, dy) = ((x2 - x1).abs(), (y2 - y1).abs());
        let sx = if x1 < x2 { 1 } else { -1 };
        let sy = if y1 < y2 { 1 } else { -1 };
        let mut err = dx - dy;
        loop {
            self.draw(x1, y1, color);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x1 += sx;
            }
            if e2 < dx {
                err += dx;
                y1 += sy;
            }
        }
    }

    /// A square centred on (x, y), `size` pixels a side, turned by `angle` radians.
    fn square(&mut self, x: i32, y: i32, size: f32, angle: f32, color: u8) {
        // The corners are on a circle: its radius is the side over √2, rounded.
        let radius = (f64::from(size) / REDIS_SQRT_2).round() as f32;
        let mut k = (std::f64::consts::FRAC_PI_4 + f64::from(angle)) as f32;
        let mut corners = [(0, 0); 4];
        for corner in &mut corners {
            let k64 = f64::from(k);
            *corner = (
                (k64.sin() * f64::from(radius) + f64::from(x)).round() as i32,
                (k64.cos() * f64::from(radius) + f64::from(y)).round() as i32,
            );
            k = (k64 + std::f64::consts::FRAC_PI_2) as f32;
        }
        for j in 0..4 {
            self.line(corners[j], corners[(j + 1) % 4], color);
        }
    }
}

/// LOLWUT VERSION 5 [columns [squares-per-row [squares-per-column]]]: Schotter in Braille,
/// with its caption. Arguments are already clamped.
pub fn schotter(
    rng: &mut Rng,
    columns: i32,
    per_row: i32,
    per_column: i32,
    version: &str,
) -> String {
    let width = columns * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_column as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height, 0);
    for y in 0..per_column {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle = 0.0f32;
            // The first two rows stand straight; below, the disorder grows row by row.
            if y > 1 {
                let mut draw = || rand(rng) as f32 / RAND_MAX as f32 / per_column as f32 * y as f32;
                let mut r = [draw(), draw(), draw()];
                for value in &mut r {
                    if rand(rng) % 2 != 0 {
                        *value = -*value;
                    }
                }
                angle = r[0];
                sx = (sx as f32 + r[1] * side / 3.0) as i32;
                sy = (sy as f32 + r[2] * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle, 1);
        }
    }
    braille(&canvas)
        + "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. "
        + version
        + "\n"
}

/// The canvas in Braille, a character per block of 2×4 pixels.
fn braille(canvas: &Canvas) -> String {
    let mut text = String::new();
    for y in (0..canvas.height).step_by(4) {
        for x in (0..canvas.width).step_by(2) {
            let dots = [
                (x, y),
                (x, y + 1),
                (x, y + 2),
                (x + 1, y),
                (x + 1, y + 1),
                (x + 1, y + 2),
                (x, y + 3),
                (x + 1, y + 3),
            ];
            let bits = dots
                .iter()
                .enumerate()
                .filter(|(_, &(px, py))| canvas.get(px, py) != 0)
                .fold(0u32, |bits, (bit, _)| bits | 1 << bit);
            text.push(char::from_u32(0x2800 + bits).unwrap_or(' '));
        }
        // Redis ends every line but one whose first pixel row is the canvas's last.
        if y != canvas.height - 1 {
            text.push('\n');
        }
    }
    text
}

/// One building of the skyline.
struct Skyscraper {
    xoff: i32,
    width: i32,
    height: i32,
    windows: bool,
    color: u8,
}

impl Canvas {
    /// A building standing on the canvas's bottom row, its roof two pixels narrower on each
    /// side; with windows, pixels two wide and one tall in another colour on every other row.
    fn skyscraper(&mut self, rng: &mut Rng, building: &Skyscraper) {
        let start_y = self.height - 1;
        let end_y = start_y - building.height + 1;
        let left = building.xoff;
        let right = building.xoff + building.width;
        for y in (end_y..=start_y).rev() {
            for x in left..right {
                if y == end_y && (x <= left + 1 || x >= right - 2) {
                    continue;
                }
                let mut color = building.color;
                let inside = x > left + 1 && x < right - 2 && y > end_y + 1 && y < start_y - 1;
                if building.windows && inside {
                    let (relx, rely) = (x - (left + 1), y - (end_y + 1));
                    if (relx / 2) % 2 != 0 && rely % 2 != 0 {
                        color = loop {
                            let lit = 1 + (rand(rng) % 2) as u8;
                            if lit != building.color {
                                break lit;
                            }
                        };
                        // A window's second pixel takes its first one's colour.
                        if relx % 2 != 0 {
                            color = self.get(x - 1, y);
                        }
                    }
                }
                self.draw(x, y, color);
            }
        }
    }
}

/// LOLWUT VERSION 6 [columns [rows]]: the skyline in ANSI colours, with its caption.
/// Arguments are already clamped.
pub fn skyline(rng: &mut Rng, columns: i32, rows: i32, version: &str) -> String {
    let mut canvas = Canvas::new(columns, rows, 3);
    let (width, height) = (canvas.width, canvas.height);
    // The grey buildings behind, the lighter ones first so that they stay at the back.
    for color in [2u8, 1] {
        let mut offset = -10;
        while offset < width {
            offset += rand(rng) % 8;
            let building_width = 10 + rand(rng) % 9;
            let building_height = match color {
                2 => height / 2 + (rand(rng) % height) / 2,
                _ => height / 2 + (rand(rng) % height) / 3,
            };
            let building = Skyscraper {
                xoff: offset,
                width: building_width,
                height: building_height,
                windows: false,
                color,
            };
            canvas.skyscraper(rng, &building);
            offset += match color {
                2 => building_width / 2,
                _ => building_width + 1,
            };
        }
    }
    // The black buildings in front, with their windows.
    let mut offset = -10;
    while offset < width {
        offset += rand(rng) % 8;
        let mut building_width = 5 + rand(rng) % 14;
        if building_width % 4 != 0 {
            building_width += building_width % 3;
        }
        let building = Skyscraper {
            xoff: offset,
            width: building_width,
            height: height / 3 + (rand(rng) % height) / 2,
            windows: true,
            color: 0,
        };
        canvas.skyscraper(rng, &building);
        offset += building_width + 5;
    }
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            let colors = match canvas.get(x, y) {
                1 => "0;90;100m",
                2 => "0;37;47m",
                3 => "0;97;107m",
                _ => "0;30;40m",
            };
            text += &format!("\x1b[{colors} \x1b[0m");
        }
        if y != height - 1 {
            text.push('\n');
        }
    }
    text + "\nDedicated to the 8 bit game developers of past and present.\n\
            Original 8 bit image from Plaguemon by hikikomori. Redis ver. "
        + version
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braille_bits_follow_the_dot_numbering() {
        // One block: the bottom-right dot is bit 7, the right column's top dot bit 3.
        let mut canvas = Canvas::new(2, 4, 0);
        canvas.draw(1, 3, 1);
        assert_eq!(braille(&canvas), "\u{2880}\n");
        canvas.draw(1, 0, 1);
        canvas.draw(9, 9, 1);
        assert_eq!(braille(&canvas), "\u{2888}\n");
        // A canvas one pixel tall: its only line is its last, and ends without a newline.
        assert_eq!(braille(&Canvas::new(2, 1, 1)), "\u{2809}");
        let mut rng = Rng::new(1);
        let tiny = schotter(&mut rng, 1, 1, 1, "7.0.15");
        assert_eq!(
            tiny,
            "\u{280b}\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"
        );
    }

    #[test]
    fn schotter_has_redis_dimensions() {
        // 66 columns of 2 pixels: a side of 128/8 = 16 pixels, 12 squares down plus padding
        // make 196 pixel rows, 49 lines of Braille, each 66 characters.
        let mut rng = Rng::new(7);
        let text = schotter(&mut rng, 66, 8, 12, "7.0.15");
        let art: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
        assert_eq!(art.len(), 49);
        assert!(art.iter().all(|line| line.chars().count() == 66));
        // The first row of squares is straight: its top edge is one line of pixels.
        assert!(art[0].chars().any(|c| c != '\u{2800}'));
    }

    #[test]
    fn the_skyline_fills_its_canvas() {
        let mut rng = Rng::new(3);
        let text = skyline(&mut rng, 10, 3, "7.0.15");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0].matches('\x1b').count(), 20);
        assert!(lines[4].ends_with("Redis ver. 7.0.15"));
    }
}
