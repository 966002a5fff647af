import { describe, expect, it } from "vitest";
import { analyze, analyzeEnglish, Bm25Encoder } from "../../src/embeddings/bm25.js";
import { bigrams } from "../../src/embeddings/analyzer.js";
import { detectLanguage, dominantLanguage } from "../../src/embeddings/language.js";

describe("language detection", () => {
  it("decides by script for Chinese, Japanese, Korean, Thai and Cyrillic", () => {
    expect(detectLanguage("注意力机制是一种神经网络结构")).toBe("zh");
    expect(detectLanguage("注意機構はニューラルネットワークの構造である")).toBe("ja");
    expect(detectLanguage("주의 메커니즘은 신경망 구조이다")).toBe("ko");
    expect(detectLanguage("กลไกความสนใจเป็นโครงสร้างของโครงข่ายประสาท")).toBe("th");
    expect(detectLanguage("Механизм внимания — это структура нейронных сетей.")).toBe("ru");
    expect(detectLanguage("Механізм уваги є структурою нейронних мереж.")).toBe("uk");
  });

  it("detects Latin-script prose, and keeps tables, formulas and names English", () => {
    expect(detectLanguage("Die Ergebnisse zeigen, dass das Modell auf allen Datensätzen besser ist als die Basislinie.")).toBe("de");
    expect(detectLanguage("Les résultats montrent que le modèle est meilleur que la référence sur tous les jeux de données.")).toBe("fr");
    expect(detectLanguage("Los resultados muestran que el modelo es mejor que la línea base en todos los conjuntos.")).toBe("es");
    expect(detectLanguage("Wie viele Proben wurden gesammelt?")).toBe("de");
    for (const english of ["System Dev Test EM F1 EM F1", "AdaGrad RMSProp SGDNesterov AdaDelta Adam", "Hard EM (Min et al., 2019a)", "We propose a new simple network architecture, the Transformer.", "BERT-large 340M"]) {
      expect(detectLanguage(english), english).toBe("en");
    }
  });

  it("survives input with no letters, long runs of one character and lone surrogates", () => {
    for (const odd of ["", "!!!! ???", "1234 5678", "a".repeat(10_000), "\ud800abc\udfff", "。。。", "ー".repeat(50)]) {
      expect(() => detectLanguage(odd)).not.toThrow();
      expect(analyze(odd).every((t) => t.length > 0)).toBe(true);
    }
  });

  it("gives a document the language of most of its text", () => {
    expect(dominantLanguage(["An English abstract of some length about proteins.", "蛋白质结构预测是一个重要的问题，我们提出了一种新的方法。蛋白质结构预测是一个重要的问题。"])).toBe("zh");
  });
});

describe("the multilingual analyser", () => {
  it("analyses English exactly as before languages existed", () => {
    const texts = ["We propose a new simple network architecture, the Transformer, based solely on attention mechanisms.", "BERT-base, 1e-8, beta2 = 0.999 and don't", "Table 3: Error rates (%, 10-crop testing) on ImageNet validation."];
    for (const text of texts) expect(analyze(text)).toEqual(analyzeEnglish(text));
  });

  it("segments Chinese into words and adds character bigrams", () => {
    const terms = analyze("注意力机制是一种神经网络结构");
    expect(terms).toEqual(expect.arrayContaining(["注意力", "机制", "神经", "网络", "结构", "经网"]));
    expect(terms).not.toContain("注意力机制是一种神经网络结构");
    expect(bigrams("神经网络")).toEqual(["神经", "经网", "网络"]);
    expect(bigrams("神")).toEqual(["神"]);
  });

  it("stems German, French and Russian and drops their stop words", () => {
    expect(analyze("Die Netzwerke sind neuronale Netze.")).toEqual(["netzwerk", "neuronal", "netz"]);
    expect(analyze("L'attention est une structure de réseaux neuronaux.")).toEqual(["attent", "structur", "réseau", "neuronal"]);
    expect(analyze("Структура нейронных сетей и механизм внимания.")).toEqual(["структур", "нейрон", "сет", "механизм", "вниман"]);
  });

  it("lets a query match a chunk in another language through shared names and numbers", () => {
    const encoder = new Bm25Encoder();
    const chunk = new Set(encoder.embedDocument("我们在 ImageNet 上训练了 ResNet-50 模型，准确率为 76.1%。").indices);
    const query = encoder.embedQuery("ResNet-50 ImageNet 76.1").indices;
    expect(query.every((id) => chunk.has(id))).toBe(true);
  });

  it("matches a Chinese query with a Chinese passage on words the segmenter splits differently", () => {
    const encoder = new Bm25Encoder();
    const chunk = new Set(encoder.embedDocument("本文提出的注意力机制显著提高了翻译质量。").indices);
    const query = encoder.embedQuery("注意力机制提高质量").indices;
    expect(query.filter((id) => chunk.has(id)).length / query.length).toBeGreaterThan(0.6);
  });
});
