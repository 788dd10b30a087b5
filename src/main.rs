//! The page's entry point: mount the app on `<body>`, its engine in a Web Worker.

use keyspace_playground::App;
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <App /> });
}
