//! The page's entry point: mount the app on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(keyspace_playground::App);
}
