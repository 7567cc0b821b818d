"""Security plumbing shared by every page: session lifetimes, response headers, the app's database role."""
