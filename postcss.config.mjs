// Tailwind 4 runs as a PostCSS plugin; everything is compiled at build time (no CDN).
export default { plugins: { "@tailwindcss/postcss": {} } };
