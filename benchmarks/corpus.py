"""A synthetic news corpus for benchmarks: sample paragraphs diluted in event-free filler.

Real Arabic news about the Sahel is sparse in events: most paragraphs talk
about prices, weather, football, exams.  The corpus keeps that shape:
documents are mostly generated filler paragraphs (words checked to hold no
rule anchor), with a paragraph from samples/*.txt now and then.  Documents
vary the way real sites do: with and without diacritics, tatweel,
Arabic-Indic digits, short briefs and long features.  Generation is seeded,
so a corpus of a given size is the same on every machine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

# Neutral vocabulary: economy, weather, sport, culture, administration.
_FILLER = """
الاقتصاد السوق الأسعار ارتفاع انخفاض المواطنين الحكومة الوزارة التعليم المدارس الطلاب الامتحانات
الجامعة المستشفى الصحة الأطباء الدواء الزراعة المحاصيل الأمطار الموسم الفلاحين الماشية الرعاة
الأسواق التجار البضائع القمح الأرز السكر الزيت الخبز الحليب اللحوم الخضروات الفواكه المياه
الكهرباء الطاقة الشمسية الإنترنت الهاتف الشبكة المشروع التنمية البنية التحتية المهرجان الثقافة
الموسيقى الفنانين الكتاب المعرض السينما المسرح الرياضة المنتخب المباراة الفريق الملعب الدوري
الكأس البطولة اللاعبين المدرب الجمهور الأهداف الشوط الأول الثاني الطقس الحرارة درجة الرياح
الغبار الجفاف الفيضانات النهر الضفة الصيادين الأسماك العاصمة الحي السكان العائلات الأطفال
النساء الشباب الجمعية المجتمع المدني الإذاعة الصحيفة التلفزيون الصحفي المقابلة البرنامج التقرير
الدراسة الباحثين الإحصاءات النسبة المائة المليون الألف الفرنك الدولار الميزانية الضرائب البنك
القرض الاستثمار الشركة المصنع العمال الرواتب النقابة الاجتماع اللجنة الحفل الافتتاح الموسم
السياحة الفندق المطار الرحلات المسافرين الحافلات السيارات الوقود المحطة الطريق الجسر البناء
الإسكان الأراضي البلدية المجلس الانتخابات المرشحين الحملة البرلمان القانون القرار اللوائح
وقال وأضاف وأوضح وأشار وذكر يذكر أن إن في من إلى على عن مع بعد قبل خلال حيث كما الذي التي
هذا هذه ذلك تلك كل بعض عدة أكثر أقل جديد جديدة كبير كبيرة صغير صغيرة مهم مهمة عام العام
اليوم الأسبوع الشهر السنة المقبل الماضي صباح مساء يوم الأحد الاثنين الثلاثاء الأربعاء الخميس
الجمعة السبت يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر
تحسن تراجع استقرار زيادة نقص توفير توزيع تنظيم إطلاق افتتاح تدشين تكريم تتويج فوز خسارة تعادل
"""
FILLER_WORDS = _FILLER.split()

HARAKAT = "\u064e\u064f\u0650\u064b\u064c\u064d\u0651\u0652"
TATWEEL = "\u0640"
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
STYLES = ("plain", "plain", "plain", "diacritics", "tatweel", "indic", "indic")
_ARABIC_LETTER = re.compile(r"[\u0628-\u064a]")


def clean_vocabulary(has_anchor: Callable[[str], bool]) -> list[str]:
    """The filler words that hold no rule anchor (`has_anchor` is given a word)."""
    return [w for w in dict.fromkeys(FILLER_WORDS) if not has_anchor(w)]


def sample_paragraphs(samples: Path) -> list[str]:
    out: list[str] = []
    for p in sorted(samples.glob("*.txt")):
        out += [para.strip() for para in p.read_text(encoding="utf-8").split("\n") if len(para.strip()) > 30]
    return out


def _filler_paragraph(rng: random.Random, vocab: list[str]) -> str:
    sents = []
    for _ in range(rng.randint(2, 6)):
        words = rng.choices(vocab, k=rng.randint(8, 25))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), str(rng.choice((rng.randint(2, 99), rng.randint(1990, 2025), rng.randint(100, 99999)))))
        if rng.random() < 0.4:
            words[rng.randrange(1, len(words))] += "،"
        sents.append(" ".join(words) + ".")
    return " ".join(sents)


def _diacritize(rng: random.Random, text: str) -> str:
    return _ARABIC_LETTER.sub(lambda m: m.group() + (rng.choice(HARAKAT) if rng.random() < 0.35 else ""), text)


def _tatweel(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        if len(w) > 3 and rng.random() < 0.15 and _ARABIC_LETTER.match(w[1]):
            words[i] = w[:2] + TATWEEL * rng.randint(1, 3) + w[2:]
    return " ".join(words)


def styled(rng: random.Random, text: str, style: str) -> str:
    if style == "diacritics":
        return _diacritize(rng, text)
    if style == "tatweel":
        return _tatweel(rng, text)
    if style == "indic":
        return text.translate(INDIC)
    return text


class CorpusBuilder:
    """Documents as (name, text), seeded; pools of styled paragraphs keep generation fast."""

    def __init__(self, vocab: list[str], samples: list[str], seed: int = 2025, event_rate: float = 0.04, pool: int = 6000) -> None:
        self.rng = random.Random(seed)
        self.event_rate = event_rate
        rng = self.rng
        styles = sorted(set(STYLES))
        filler = [_filler_paragraph(rng, vocab) for _ in range(pool)]
        self.filler = {s: [styled(rng, p, s) for p in filler] for s in styles}
        self.samples = {s: [styled(rng, p, s) for p in samples] for s in styles}

    def document(self) -> str:
        rng = self.rng
        style = rng.choice(STYLES)
        r = rng.random()
        n = rng.randint(1, 3) if r < 0.4 else rng.randint(4, 12) if r < 0.85 else rng.randint(20, 60)
        paras = []
        for _ in range(n):
            pool = self.samples[style] if rng.random() < self.event_rate else self.filler[style]
            paras.append(rng.choice(pool))
        headline = " ".join(rng.choice(self.filler[style]).split()[: rng.randint(5, 10)])
        return headline + "\n\n" + "\n\n".join(paras) + "\n"

    def documents(self, total_bytes: int) -> Iterator[tuple[str, bytes]]:
        size = 0
        i = 0
        while size < total_bytes:
            raw = self.document().encode("utf-8")
            yield f"part-{i // 1000:04d}/doc-{i:07d}.txt", raw
            size += len(raw)
            i += 1


def build(dest: Path, mib: float, vocab: list[str], samples: list[str], seed: int = 2025) -> tuple[int, int]:
    """Write the corpus under `dest` (skipped when a complete one is there); (files, bytes)."""
    done = dest / ".complete"
    if done.exists():
        files, nbytes = (int(x) for x in done.read_text().split())
        return files, nbytes
    builder = CorpusBuilder(vocab, samples, seed)
    files = nbytes = 0
    for name, raw in builder.documents(int(mib * 2**20)):
        p = dest / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(raw)
        files += 1
        nbytes += len(raw)
    done.write_text(f"{files} {nbytes}\n")
    return files, nbytes
