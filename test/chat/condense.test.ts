import { describe, expect, it } from "vitest";
import { keyTerms, rewriteFollowUp, rewriteOffline } from "../../src/chat/condense.js";

describe("offline follow-up rewriting", () => {
  it("finds the topic words of a question", () => {
    expect(keyTerms("How does the Transformer work?")).toEqual(["Transformer"]);
    expect(keyTerms("What do residual connections learn?")).toEqual(["residual", "connections"]);
  });

  it("resolves pronouns with the previous question's key terms", () => {
    expect(rewriteFollowUp("what about its encoder?", "How does the Transformer work?")).toBe("what about the Transformer encoder?");
    expect(rewriteFollowUp("How is it trained?", "How does the Transformer work?")).toBe("How is the Transformer trained?");
    expect(rewriteFollowUp("Why do they help?", "What do residual connections learn?")).toBe("Why do the residual connections help?");
  });

  it("carries the topic into short follow-ups without pronouns", () => {
    expect(rewriteFollowUp("And the BLEU score?", "How good is the Transformer at translation?")).toBe("And the BLEU score (Transformer translation)?");
    expect(rewriteFollowUp("Why?", "How good is the Transformer at translation?")).toBe("Why (Transformer translation)?");
    expect(rewriteFollowUp("What does MaxSim compute?", "Which figure shows nDCG?")).toBe("What does MaxSim compute?");
  });

  it("leaves standalone questions and first turns alone", () => {
    expect(rewriteFollowUp("How deep are the residual networks evaluated on ImageNet?", "How does the Transformer work?")).toBe("How deep are the residual networks evaluated on ImageNet?");
    expect(rewriteOffline({ question: "What is attention?", history: [] })).toBe("What is attention?");
  });

  it("resolves a chain of follow-ups turn by turn", () => {
    const history = [
      { role: "user" as const, content: "How does the Transformer work?" },
      { role: "assistant" as const, content: "It uses attention [1]." },
      { role: "user" as const, content: "what about its encoder?" },
      { role: "assistant" as const, content: "Six layers [2]." },
    ];
    expect(rewriteOffline({ question: "How many layers does it have?", history })).toBe("How many layers does the Transformer encoder have?");
  });
});
