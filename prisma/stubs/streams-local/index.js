// See package.json: `prisma dev` is not supported in this project (it needs Node 22).
throw new Error("@prisma/streams-local is stubbed out in Runtime Vault: `prisma dev` is not supported; use `npm start`");
