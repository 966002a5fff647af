import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { formatSourcesBlock, numberSources, parseSourcesBlock } from "../../src/chat/context.js";
import { EXTRACTIVE_LABEL, ExtractiveChatModel, composeExtractiveAnswer } from "../../src/chat/extractive-model.js";
import { splitSentences } from "../../src/chat/sentences.js";
import type { SearchHit } from "../../src/store/types.js";

function hit(id: string, text: string, extra: Partial<SearchHit["metadata"]> = {}): SearchHit {
  return { id, score: 1, text, metadata: { docId: "doc", title: "A Paper", authors: [], source: "paper.pdf", kind: "text", chunkIndex: 0, references: false, ...extra } };
}

const SOURCES = [
  hit("a", "Batch normalization normalizes layer inputs using mini-batch statistics. It allows much higher learning rates, e.g. 30 times higher than the baseline. The method was proposed by Ioffe et al. in 2015."),
  hit("b", "Dropout randomly drops units during training to prevent co-adaptation. As shown in Fig. 3, the test error falls from 1.6% to 1.25% with dropout."),
  hit("c", "Figure 2: Training curves with and without batch normalization. Batch normalization converges faster.", { kind: "figure", figureLabel: "Figure 2", page: 4, imageId: "f00d" }),
];

function prompt(question: string, hits: SearchHit[] = SOURCES) {
  return [new SystemMessage("You are Folio."), new HumanMessage(`Sources:\n\n${formatSourcesBlock(numberSources(hits))}\n\nQuestion: ${question}\n\nAnswer with citations.`)];
}

describe("sentence splitting", () => {
  it("keeps abbreviations, initials, figure references and decimals inside sentences", () => {
    expect(splitSentences("As shown in Fig. 3, the error falls to 1.25% (e.g. on MNIST). See Sec. 4.2 for details! Is it fast? Yes.")).toEqual([
      "As shown in Fig. 3, the error falls to 1.25% (e.g. on MNIST).",
      "See Sec. 4.2 for details!",
      "Is it fast?",
      "Yes.",
    ]);
    expect(splitSentences("Proposed by A. Vaswani et al. in 2017. The U.S. team won. It costs $3.5 million.")).toEqual([
      "Proposed by A. Vaswani et al. in 2017.",
      "The U.S. team won.",
      "It costs $3.5 million.",
    ]);
  });
});

describe("the sources block", () => {
  it("numbers sources with title, page, figure label and kind, and reads back", () => {
    const block = formatSourcesBlock(numberSources(SOURCES));
    expect(block).toContain("[3] A Paper, p. 4, Figure 2 (figure; paper.pdf)");
    const parsed = parseSourcesBlock(block);
    expect(parsed.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(parsed[1]!.text).toContain("Fig. 3");
  });

  it("drops repeated hits", () => {
    expect(numberSources([...SOURCES, hit("a", "other"), hit("z", SOURCES[0]!.text)]).length).toBe(3);
  });
});

describe("ExtractiveChatModel", () => {
  const model = new ExtractiveChatModel();

  it("quotes the best-matching sentences with their [n] markers, labelled as extractive", async () => {
    const result = await model.invoke(prompt("Why does batch normalization allow higher learning rates?"));
    const text = String(result.content);
    expect(text.split("\n")[0]).toMatch(new RegExp(`^${EXTRACTIVE_LABEL.replace(/[()]/g, "\\$&")}`));
    // "It ..." does not stand alone: the sentence before it is quoted with it.
    expect(text).toContain('"Batch normalization normalizes layer inputs using mini-batch statistics. It allows much higher learning rates, e.g. 30 times higher than the baseline." [1]');
    expect(text).not.toContain("Dropout");
  });

  it("names the figure when it quotes a figure source", async () => {
    const text = String((await model.invoke(prompt("Show the training curves with batch normalization"))).content);
    expect(text).toMatch(/"Figure 2: Training curves with and without batch normalization\." \[3\] \(Figure 2, p\. 4\)/);
  });

  it("keeps sentences whole across abbreviations and decimals", async () => {
    const text = String((await model.invoke(prompt("How much does dropout reduce the test error?"))).content);
    expect(text).toContain('"As shown in Fig. 3, the test error falls from 1.6% to 1.25% with dropout." [2]');
  });

  it("says the corpus does not answer when nothing matches well enough", async () => {
    const text = String((await model.invoke(prompt("What is the boiling point of mercury?"))).content);
    expect(text).toMatch(/The corpus does not answer this/);
    expect(text).not.toMatch(/\[\d\]/);
    expect(composeExtractiveAnswer("anything at all", [])).toMatch(/does not answer/);
  });

  it("streams token by token, the chunks adding up to the whole answer", async () => {
    const messages = prompt("What does dropout prevent during training?");
    const chunks: string[] = [];
    for await (const chunk of await model.stream(messages)) chunks.push(String(chunk.content));
    expect(chunks.length).toBeGreaterThan(5);
    const whole = String((await model.invoke(messages)).content);
    expect(chunks.join("")).toBe(whole);
    expect(whole).toContain("[2]");
  });

  it("stops streaming when the signal aborts", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of await model.stream(prompt("What does dropout prevent during training?"), { signal: controller.signal })) {
          chunks.push(String(chunk.content));
          if (chunks.length === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(chunks.length).toBe(2);
  });
});
