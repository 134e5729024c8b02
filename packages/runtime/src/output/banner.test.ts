import { describe, expect, it } from "vitest";
import { banner } from "./banner.js";
import { colorFor } from "./terminal.js";

// Copied byte for byte from the source documents (weaver-behaviours.md §2.5): 53 columns.
const ARTICLE = `╭───────────────────────────────────────────────────╮
│ app        : httpserver                           │
│ deployment : ad7c0341-d5d2-4182-8944-306d7682e708 │
╰───────────────────────────────────────────────────╯
`;

describe("banner", () => {
  it("matches the article's box byte for byte", () => {
    expect(banner("httpserver", "ad7c0341-d5d2-4182-8944-306d7682e708")).toBe(ARTICLE);
  });

  it("is 53 columns wide for a 36-character deployment id and a short app name", () => {
    const lines = banner("hello", "ca0fcdf2-d9bc-456b-a668-159688e3cca5").trimEnd().split("\n");
    expect(lines).toEqual([
      "╭───────────────────────────────────────────────────╮",
      "│ app        : hello                                │",
      "│ deployment : ca0fcdf2-d9bc-456b-a668-159688e3cca5 │",
      "╰───────────────────────────────────────────────────╯",
    ]);
    for (const l of lines) expect([...l]).toHaveLength(53);
  });

  it("grows to fit an app name longer than the deployment id", () => {
    expect(banner("a-rather-long-application-name-for-the-banner", "ad7c0341-d5d2-4182-8944-306d7682e708")).toBe(
      [
        "╭────────────────────────────────────────────────────────────╮",
        "│ app        : a-rather-long-application-name-for-the-banner │",
        "│ deployment : ad7c0341-d5d2-4182-8944-306d7682e708          │",
        "╰────────────────────────────────────────────────────────────╯",
        "",
      ].join("\n"),
    );
  });

  it("with colour, colours the deployment id and underlines its first 8 characters", () => {
    const id = "ad7c0341-d5d2-4182-8944-306d7682e708";
    const lines = banner("httpserver", id, true).split("\n");
    const c = colorFor(id);
    expect(lines[2]).toBe(`│ deployment : \x1b[${c}m\x1b[4mad7c0341\x1b[24m-d5d2-4182-8944-306d7682e708\x1b[0m │`);
    // Everything else is as without colour.
    expect([lines[0], lines[1], lines[3]]).toEqual(
      ARTICLE.split("\n")
        .filter((_, i) => i !== 2)
        .slice(0, 3),
    );
  });

  it("without colour contains no escape sequences", () => {
    expect(banner("httpserver", "ad7c0341-d5d2-4182-8944-306d7682e708", false)).not.toContain("\x1b");
  });
});
