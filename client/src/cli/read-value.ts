// Secret values come from a file or stdin (a hidden prompt on a terminal), never
// from a required command-line argument, and are never echoed.
import { readFile } from "node:fs/promises";
import { CliError } from "./errors.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function prompt(label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(label);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new CliError("Cancelled", 130));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

export async function readSecretValue({ name, positional, fromFile }: { name: string; positional?: string; fromFile?: string }): Promise<string> {
  let value: string;
  if (positional !== undefined) {
    process.stderr.write("warning: a value on the command line is visible in shell history and the process list; prefer stdin or --from-file\n");
    value = positional;
  } else if (fromFile !== undefined) {
    // Exactly the file's content: certificates and keys keep their final newline.
    value = fromFile === "-" ? await readStdin() : await readFile(fromFile, "utf8");
  } else if (process.stdin.isTTY) {
    value = await prompt(`Value for ${name} (input hidden): `);
  } else {
    // `echo value | runtime-vault secret set NAME`: drop the newline echo added.
    value = (await readStdin()).replace(/\r?\n$/, "");
  }
  if (!value) throw new CliError("The value is empty");
  return value;
}
