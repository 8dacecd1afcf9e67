export default function Home() {
  return (
    <main style={{ maxWidth: 720, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Runtime Vault</h1>
      <p>Short-lived, audited credential leases for bots. The API is served under /api; see the README.</p>
    </main>
  );
}
