"""Realistic text lines for synthetic training: Chinese words by jieba frequency, English words from
Debian's wamerican, German/Dutch/French words (wngerman, wdutch, wfrench: the accented letters),
en-dash ranges, bulleted lines, and generated invoice/receipt content (amounts, dates, numbers, ids, companies,
addresses, item lines, labels), mixed zh/en, 1..60 characters, plus a top-up of rare characters so
that every class of the charset is seen.

    python -m training.textgen --sample 200000   # prints examples and the rarest class counts
"""
from __future__ import annotations

import argparse
import bisect
import collections
import itertools
import random
import string
import re
from pathlib import Path

from training import assets
from training.charset import LATIN_EXTENSION, load_charset

JIEBA_DICT = assets.jieba_dict()
EN_DICT = assets.english_words()
MAX_LEN = 60

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉", "西安", "天津",
          "长沙", "郑州", "青岛", "厦门", "宁波", "合肥", "福州", "济南", "沈阳", "大连", "昆明", "无锡",
          "佛山", "东莞", "哈尔滨", "长春", "石家庄", "太原", "南昌", "贵阳", "南宁", "兰州", "乌鲁木齐"]
PROVINCES = ["广东省", "江苏省", "浙江省", "山东省", "河南省", "四川省", "湖北省", "湖南省", "河北省",
             "福建省", "安徽省", "辽宁省", "陕西省", "江西省", "云南省", "广西壮族自治区", "山西省"]
ZH_LABELS = ["发票号码", "发票代码", "开票日期", "校验码", "购买方", "销售方", "名称", "纳税人识别号",
             "地址、电话", "开户行及账号", "货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价",
             "金额", "税率", "税额", "合计", "价税合计（大写）", "（小写）", "收款人", "复核", "开票人",
             "备注", "机器编号", "密码区", "订单号", "交易时间", "收银员", "找零", "实收", "应收", "小计",
             "优惠", "会员卡号", "流水号", "商户名称", "终端号", "操作员", "电话", "地址", "日期", "时间",
             "总计", "现金", "微信支付", "支付宝", "银行卡", "统一社会信用代码", "邮编", "传真", "网址"]
EN_LABELS = ["Invoice No.", "Invoice Number", "Invoice Date", "Date", "Due Date", "Order No.",
             "Order ID", "Total", "Subtotal", "Sub-total", "VAT", "Tax", "GST", "Amount", "Amount Due",
             "Balance", "Qty", "Quantity", "Unit Price", "Price", "Description", "Item", "Discount",
             "Cash", "Change", "Tel", "Phone", "Fax", "Email", "Bill To", "Ship To", "Customer",
             "Account", "Payment", "Card", "Receipt No.", "Cashier", "Table", "Rounding", "Net",
             "Gross", "Reference", "PO Number", "Terms", "Page", "Total Incl. VAT", "Net Amount"]
ZH_SUFFIX = ["有限公司", "股份有限公司", "科技有限公司", "贸易有限公司", "商贸有限公司", "餐饮管理有限公司",
             "电子商务有限公司", "物流有限公司", "信息技术有限公司", "超市", "便利店", "酒店", "分公司", "商行"]
EN_SUFFIX = ["Ltd.", "Limited", "GmbH", "Inc.", "LLC", "Co., Ltd.", "Sdn Bhd", "B.V.", "AG", "Corp.",
             "PLC", "S.A.", "Pte Ltd", "& Co."]
UNITS = ["个", "件", "台", "箱", "盒", "瓶", "包", "千克", "吨", "米", "次", "套", "张", "本", "kg", "pcs", "EA"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAXIE = "零壹贰叁肆伍陆柒捌玖"
HANZI_DIGITS = "〇一二三四五六七八九"
EU_LABELS = ["Rechnungsnummer", "Rechnungsdatum", "Lieferdatum", "Kundennummer", "Betrag", "Gesamtbetrag",
             "Summe", "Zwischensumme", "MwSt.", "USt-IdNr.", "Steuernummer", "Menge", "Einzelpreis",
             "Straße", "Größe", "Gebühr", "Bankverbindung", "Zahlungsbedingungen", "Fälligkeitsdatum",
             "Factuurnummer", "Factuurdatum", "Bedrag", "Totaal", "Subtotaal", "BTW", "Omschrijving",
             "Aantal", "Prijs", "Vervaldatum", "Datum", "Référence", "Réf.", "Qté", "Prix unitaire",
             "Montant TTC", "Montant HT", "Total à payer", "Date d'échéance", "N° de facture", "Désignation"]
EU_CONNECT = ["und", "für", "über", "mit", "der", "die", "das", "von", "zu", "en", "één", "voor", "op",
              "het", "een", "bij", "à", "de", "la", "et", "pour", "où", "été", "très"]
ZH_PUNCT = "，。、；：？！"
# quotation styles of printed documents, typewriter-era doubled apostrophes included
PARENS = ["({})", "({})", "({})", "[{}]", "（{}）"]
QUOTES = ["\"{}\"", "“{}”", "''{}''", "'{}'", "‘{}’", "«{}»", "« {} »", "`{}'", "``{}''"]
TLDS = ["com", "com", "nl", "de", "cn", "com.cn", "co.uk", "fr", "net", "org", "io", "my", "com.my", "in", "eu", "be"]
# what thermal and dot-matrix receipts print around their text: rules of one repeated sign, phrases
# framed by them, all in capitals (asterisk runs otherwise look like 米 or 来 to the model)
RECEIPT_PHRASES = ["THANK YOU", "THANK YOU FOR SHOPPING", "PLEASE COME AGAIN", "THANK YOU & COME AGAIN",
                   "CUSTOMER COPY", "MERCHANT COPY", "TAX INVOICE", "CASH SALE", "CASH RECEIPT", "RECEIPT",
                   "DUPLICATE", "REPRINT", "CLOSED", "VOID", "END OF RECEIPT", "SALES SLIP", "CASH BILL",
                   "GOODS SOLD ARE NOT RETURNABLE", "NO REFUND", "HAVE A NICE DAY", "WELCOME", "MEMBER COPY",
                   "SIGNATURE", "TOTAL", "SUBTOTAL", "CHANGE", "ROUNDING", "SERVICE CHARGE"]
RECEIPT_SIGNS = "*=-#+.:"  # not _ or ~: their runs join into one stroke that cannot be counted
CURRENCY_CODES = ["RM", "USD", "EUR", "GBP", "SGD", "CNY", "RMB", "HKD", "$", "€", "¥", "£"]
WEB_LABELS = ["www", "Web", "Website", "E-mail", "Email", "E-Mail", "Mail", "网址", "邮箱", "电子邮件", "Internet"]


class WeightedWords:
    """Words with cumulative weights for O(log n) sampling."""

    def __init__(self, words: list[str], weights: list[float]):
        self.words = words
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        return self.words[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]


class TextGen:
    """Draws one line of text at a time; every character it returns is in the charset."""

    def __init__(self, charset: list[str], seed: int = 0, zh_power: float = 0.6):
        self.rng = random.Random(seed)
        self.charset = charset
        self.allowed = set(charset)
        self.hanzi = [c for c in charset if "\u4e00" <= c <= "\u9fff"]
        self.symbols = [c for c in charset if not c.isascii() and c not in self.hanzi]
        self.zh = self._load_zh(zh_power)
        self.en = self._load_en()
        self.eu = {lang: self._load_eu(lang) for lang in assets.EUROPEAN_WORD_LISTS}
        self.kinds = [
            (self.zh_sentence, 24), (self.en_sentence, 10), (self.mixed, 8), (self.label_value, 12),
            (self.amount_line, 5), (self.date_line, 5), (self.item_line, 7), (self.company, 6),
            (self.address, 5), (self.id_line, 5), (self.phone_line, 3), (self.rare_topup, 16),
            (self.numbers, 3), (self.symbol_line, 2), (self.single, 1),
            (self.eu_sentence, 12), (self.range_line, 2), (self.bullet_line, 2), (self.web_line, 3),
            (self.receipt_line, 4), (self.cipher_line, 2),
        ]
        self.kind_cum = list(itertools.accumulate(w for _, w in self.kinds))

    def _load_zh(self, power: float) -> WeightedWords:
        words, weights = [], []
        for line in JIEBA_DICT.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if len(parts) < 2:
                continue
            w = parts[0]
            if w and all(c in self.allowed for c in w) and any("\u4e00" <= c <= "\u9fff" for c in w):
                words.append(w)
                weights.append(float(parts[1]) ** power)  # flattened: rarer words seen more
        return WeightedWords(words, weights)

    def _load_en(self) -> list[str]:
        return [w for w in EN_DICT.read_text(encoding="utf-8", errors="ignore").split()
                if w.isprintable() and set(w) <= self.allowed and not w.endswith("'s")]

    def _load_eu(self, lang: str) -> tuple[list[str], list[str]]:
        """(words with a non-ASCII letter, the others): half the draws come from the first list, so
        the accented letters are seen far more often than in running text."""
        words = [w for w in assets.european_words(lang).read_text(encoding="utf-8", errors="ignore").split()
                 if w.isprintable() and set(w) <= self.allowed]
        return [w for w in words if not w.isascii()], [w for w in words if w.isascii()]

    # ---- primitives -------------------------------------------------------------------------
    def zh_words(self, n: int) -> str:
        return "".join(self.zh.pick(self.rng) for _ in range(n))

    def en_word(self) -> str:
        w = self.rng.choice(self.en)
        r = self.rng.random()
        if r < 0.02:  # brand-like mixed case: iPad, eBay, iDEAL, McAfee
            return self.rng.choice(["i", "e", "my", "Mc", "i", "e"]) + (w.upper() if self.rng.random() < 0.3 else w.capitalize())
        return w.upper() if r < 0.1 else w.capitalize() if r < 0.35 else w

    def eu_word(self, lang: str | None = None) -> str:
        r = self.rng
        accented, plain = self.eu[lang or r.choice(list(self.eu))]
        w = r.choice(accented if accented and r.random() < 0.5 else plain)  # none under the old charset
        u = r.random()
        return w.upper() if u < 0.08 else w[:1].upper() + w[1:] if u < 0.3 else w

    def eu_amount(self) -> str:
        """1.234,56 € as German and Dutch invoices write amounts."""
        r = self.rng
        v = r.choice([r.uniform(0, 100), r.uniform(0, 10000), r.uniform(0, 1e6)])
        s = f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", r.choice([".", " ", ""]))
        return r.choice(["", "€ ", "EUR "]) + s + r.choice(["", " €", " EUR", "€"])

    def amount(self) -> str:
        r = self.rng
        v = r.choice([r.uniform(0, 10), r.uniform(0, 1000), r.uniform(0, 100000), r.uniform(0, 1e7)])
        s = f"{v:,.2f}" if r.random() < 0.5 else f"{v:.2f}" if r.random() < 0.85 else f"{int(v)}"
        if r.random() < 0.1:
            s = "-" + s
        pre = r.choice(["", "", "", "¥", "￥", "$", "€", "£", "RM", "USD ", "CNY ", "EUR "])
        post = r.choice(["", "", "", "", "元", " EUR", " €", "%"])
        return pre + s + post

    def date(self) -> str:
        r = self.rng
        y, m, d = r.randint(1995, 2035), r.randint(1, 12), r.randint(1, 28)
        forms = [f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日", f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}",
                 f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y}",
                 f"{d} {MONTHS[m - 1]} {y}", f"{MONTHS[m - 1]} {d}, {y}", f"{d}-{MONTHS[m - 1][:3]}-{y}",
                 f"{MONTHS[m - 1][:3]} {d}, {y}", f"{y}{m:02d}{d:02d}", f"{d:02d}-{m:02d}-{y % 100:02d}"]
        if r.random() < 0.08:  # 二〇二四年五月十二日, as Chinese documents write dates in words
            return "".join(HANZI_DIGITS[int(c)] for c in str(y)) + "年" + self.hanzi_number(m) + "月" \
                + self.hanzi_number(d) + "日"
        return r.choice(forms)

    @staticmethod
    def hanzi_number(n: int) -> str:
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else HANZI_DIGITS[tens]) + "十" if tens else "") + (HANZI_DIGITS[ones] if ones else "")

    def time(self) -> str:
        r = self.rng
        h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        return r.choice([f"{h:02d}:{mi:02d}", f"{h:02d}:{mi:02d}:{s:02d}", f"{h % 12 or 12}:{mi:02d} "
                         + r.choice(["AM", "PM", "am", "pm"]), f"{h}时{mi}分"])

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(self.hanzi[:3000])
                                                   for _ in range(self.rng.randint(1, 2)))

    # ---- line kinds ---------------------------------------------------------------------------
    def zh_sentence(self) -> str:
        r, out = self.rng, []
        for _ in range(r.randint(1, 12)):
            out.append(self.zh_words(r.randint(1, 4)))
            if r.random() < 0.3:
                out.append(r.choice(ZH_PUNCT + "（）“”《》"))
        return "".join(out)

    def en_sentence(self) -> str:
        r = self.rng
        words = [self.en_word() for _ in range(r.randint(1, 9))]
        if r.random() < 0.1:
            i = r.randrange(len(words))
            words[i] = r.choice(QUOTES).format(words[i])
        if r.random() < 0.1:  # a parenthesis or bracket, often an acronym: (FAA), (the Buyer), [Docket ...]
            i, k = r.randrange(len(words)), r.randint(1, 3)
            tail = r.choice(["", "", ",", ".", ";", ":"])
            if r.random() < 0.5:  # an acronym after the words it stands for
                acronym = "".join(r.choice(string.ascii_uppercase) for _ in range(r.randint(2, 5)))
                words.insert(i + 1, r.choice(PARENS).format(acronym) + tail)
            else:
                words[i:i + k] = [r.choice(PARENS).format(" ".join(words[i:i + k])) + tail]
        s = " ".join(words)
        return s + r.choice(["", "", ".", ",", ":", ";", "?", "!"])

    def mixed(self) -> str:
        r, parts = self.rng, []
        for _ in range(r.randint(2, 5)):
            parts.append(r.choice([self.zh_words(r.randint(1, 3)), self.en_word(), self.amount(),
                                   self.digits(r.randint(1, 6)), self.alnum(r.randint(2, 8))]))
        return r.choice(["", " "]).join(parts)

    def label_value(self) -> str:
        r = self.rng
        if r.random() < 0.55:
            label = r.choice(ZH_LABELS) + r.choice(["：", "：", ":", "", " "])
            value = r.choice([self.amount, self.date, lambda: self.digits(r.choice([8, 10, 12, 20])),
                              self.company, self.person, self.time, lambda: self.zh_words(2)])()
        else:
            label = r.choice(EN_LABELS) + r.choice([":", ": ", " ", " : ", "# "])
            value = r.choice([self.amount, self.date, lambda: self.alnum(r.randint(4, 12)),
                              self.en_company, self.time, lambda: self.en_word()])()
        return label + value

    def amount_line(self) -> str:
        r = self.rng
        if r.random() < 0.2:  # capital-number amount of Chinese invoices
            return "".join(r.choice(DAXIE + "拾佰仟万亿圆角分整") for _ in range(r.randint(4, 14)))
        return r.choice([" ", "  ", " x ", " × "]).join(self.amount() for _ in range(r.randint(1, 4)))

    def date_line(self) -> str:
        r = self.rng
        return self.date() + (r.choice([" ", "  ", ""]) + self.time() if r.random() < 0.4 else "")

    def item_line(self) -> str:
        r = self.rng
        name = self.zh_words(r.randint(1, 3)) if r.random() < 0.6 else " ".join(
            self.en_word() for _ in range(r.randint(1, 3)))
        if r.random() < 0.25:  # Chinese VAT invoices name items "*tax category*goods"
            name = "*" + self.zh_words(r.randint(1, 3)) + "*" + self.zh_words(r.randint(1, 2))
            if r.random() < 0.4:
                return name
        qty = str(r.randint(1, 99)) if r.random() < 0.8 else f"{r.uniform(0.1, 20):.3f}"
        unit = r.choice(UNITS) if r.random() < 0.4 else ""
        price = f"{r.uniform(0.1, 2000):.2f}"
        sep = r.choice([" ", "  ", " x ", " × ", "*", " @ "])
        total = f"{r.uniform(0.1, 20000):.2f}"
        return f"{name} {qty}{unit}{sep}{price} {total}" if r.random() < 0.7 else f"{name}{sep}{qty} {total}"

    def company(self) -> str:
        r = self.rng
        if r.random() < 0.35:
            return self.en_company()
        city = r.choice(CITIES) + r.choice(["市", ""]) if r.random() < 0.6 else ""
        return city + self.zh_words(r.randint(1, 2)) + r.choice(ZH_SUFFIX)

    def en_company(self) -> str:
        r = self.rng
        return " ".join(self.en_word().capitalize() for _ in range(r.randint(1, 3))) + " " + r.choice(EN_SUFFIX)

    def address(self) -> str:
        r = self.rng
        if r.random() < 0.65:
            return (r.choice(PROVINCES + [""]) + r.choice(CITIES) + "市" + self.zh_words(1) + r.choice(["区", "县"])
                    + self.zh_words(1) + r.choice(["路", "街", "大道"]) + str(r.randint(1, 999)) + "号"
                    + (f"{r.randint(1, 30)}楼{r.randint(1, 30):02d}室" if r.random() < 0.4 else ""))
        return (f"{r.randint(1, 9999)} {self.en_word().capitalize()} "
                + r.choice(["Street", "St.", "Road", "Rd.", "Avenue", "Ave", "Straße", "Lane", "Blvd"])
                + r.choice(["", f", {self.en_word().capitalize()}", f", {r.randint(10000, 99999)}"]))

    def id_line(self) -> str:
        r = self.rng
        return r.choice([self.alnum(18), self.digits(r.choice([8, 10, 12, 20])), "No." + self.digits(8),
                         "№" + self.digits(8), self.alnum(3) + "-" + self.digits(r.randint(4, 10)),
                         "INV-" + self.digits(r.randint(4, 8)), "#" + self.digits(r.randint(3, 7)),
                         "9" + self.digits(1) + self.alnum(16), "DE" + self.digits(9), "NL" + self.digits(9) + "B01"])

    def phone_line(self) -> str:
        r = self.rng
        return r.choice(["1" + self.digits(10), f"0{self.digits(r.randint(2, 3))}-{self.digits(8)}",
                         f"+86 {self.digits(3)} {self.digits(4)} {self.digits(4)}", f"({self.digits(3)}) {self.digits(3)}-{self.digits(4)}",
                         f"+49 {self.digits(2)} {self.digits(8)}", f"400-{self.digits(3)}-{self.digits(4)}"])

    def rare_topup(self) -> str:
        """Uniform draws over all classes (mostly hanzi) so that rare characters get examples."""
        r = self.rng
        pool = self.hanzi if r.random() < 0.85 else self.symbols
        chars = [r.choice(pool) for _ in range(r.randint(2, 20))]
        if r.random() < 0.5:  # embed among common words so the context looks like text
            return self.zh_words(r.randint(0, 2)) + "".join(chars) + self.zh_words(r.randint(0, 2))
        return "".join(chars)

    def eu_sentence(self) -> str:
        """German, Dutch or French words, with the quotation marks and amounts of those documents."""
        r = self.rng
        lang = r.choice(list(self.eu))
        words = [self.eu_word(lang) if r.random() < 0.8 else r.choice(EU_CONNECT) for _ in range(r.randint(1, 8))]
        if r.random() < 0.15:
            i = r.randrange(len(words))
            words[i] = r.choice(QUOTES + ["„{}“", "„{}\"", "„{}“"]).format(words[i])
        if r.random() < 0.2:
            words.insert(r.randint(0, len(words)), r.choice([self.eu_amount(), self.date(), self.digits(r.randint(1, 5))]))
        if r.random() < 0.2:
            return r.choice(EU_LABELS) + r.choice([": ", " ", ":"]) + " ".join(words[:3])
        return " ".join(words) + r.choice(["", "", ".", ",", ":", ";", "?", "!"])

    def web_line(self) -> str:
        """Web addresses and e-mail addresses, alone or behind a label, as in letterheads and footers."""
        r = self.rng
        name = lambda: re.sub(r"[^a-z0-9-]", "", (self.en_word() if r.random() < 0.6 else self.eu_word()).lower()) or "info"
        domain = "".join(name() for _ in range(r.randint(1, 2))) + "." + r.choice(TLDS)
        u = r.random()
        if u < 0.45:
            addr = r.choice(["www.", "www.", "", "https://www.", "https://", "http://"]) + domain
            if r.random() < 0.3:
                addr += "/" + "/".join(name() for _ in range(r.randint(1, 3))) + r.choice(["", "/", ".html", "?id=" + self.digits(4)])
        else:
            user = r.choice([name(), name() + "." + name(), name() + r.choice(["_", "-", ""]) + self.digits(r.randint(0, 3)),
                             r.choice(["info", "service", "sales", "billing", "kundenservice", "klantenservice"])])
            addr = user + "@" + domain
        if r.random() < 0.4:
            addr = r.choice(WEB_LABELS) + r.choice([": ", " ", ":"]) + addr
        return addr

    def cipher_line(self) -> str:
        """The cipher block (密码区) of Chinese VAT invoices: rows of 26-28 digits and + - * / < >."""
        r = self.rng
        return "".join(r.choice("0123456789+-*/<>") for _ in range(r.randint(26, 28) if r.random() < 0.8 else r.randint(4, 25)))

    def receipt_line(self) -> str:
        """Receipt furniture: rules of one repeated sign, capitals framed by them (`*** THANK YOU ***`,
        `==== CUSTOMER COPY ====`, `* * * VOID * * *`), labels with a currency in brackets
        (`AMOUNT(RM)`, `QTY(S) : 6`) and street numbers joined by & (`LOT 12 & 14, JALAN ...`)."""
        r = self.rng
        u = r.random()
        sign = r.choice(RECEIPT_SIGNS)
        if u < 0.15:  # a rule across the paper
            return (sign + " ") * r.randint(3, 20) if r.random() < 0.25 else sign * r.randint(3, 30)
        if u < 0.55:  # a phrase framed by runs of one sign
            words = r.choice(RECEIPT_PHRASES) if r.random() < 0.6 else " ".join(
                self.en_word().upper() for _ in range(r.randint(1, 4)))
            if r.random() < 0.3:
                run = " ".join(sign * r.randint(1, 2) for _ in range(r.randint(1, 6)))
            else:
                run = sign * r.randint(1, 10)
            gap = r.choice([" ", "", "  "])
            return run + gap + words + gap + (run[::-1] if r.random() < 0.85 else "")
        if u < 0.8:  # capitals with a currency or unit in brackets, as on till rolls
            label = r.choice(EN_LABELS).upper() if r.random() < 0.7 else self.en_word().upper()
            tail = r.choice([f"({r.choice(CURRENCY_CODES)})", "(S)", f" ({r.choice(CURRENCY_CODES)})", ""])
            value = r.choice([self.amount(), str(r.randint(1, 99)), f"{r.uniform(0, 999):.2f}", ""])
            return label + tail + r.choice([" : ", ": ", " ", "  "]) + value
        number = lambda: str(r.randint(1, 9999)) if r.random() < 0.8 else f"{r.randint(1, 99)}-{r.randint(1, 20)}"
        numbers = " & ".join(number() for _ in range(2)) if r.random() < 0.6 else \
            ", ".join(number() for _ in range(r.randint(2, 3))) + " & " + number()
        street = " ".join(self.en_word().upper() for _ in range(r.randint(1, 3)))
        return (r.choice(["NO ", "NO. ", "LOT ", "UNIT ", "NOS. ", "No. ", "Lot "]) + numbers + ", "
                + r.choice(["JALAN ", "JLN ", "STREET ", "ROAD ", ""]) + street + r.choice(["", ",", f" {r.randint(1, 20)},"]))

    def range_line(self) -> str:
        """Ranges with the en dash (10–12, 2024–2025, Mo–Fr 9–17 Uhr, pages, amounts, dates)."""
        r = self.rng
        a = r.randint(1, 500)
        y = r.randint(1990, 2030)
        dash = r.choice(["–", "–", "–", " – "])
        rng_text = r.choice([f"{a}{dash}{a + r.randint(1, 50)}", f"{y}{dash}{y + r.randint(1, 5)}",
                             f"{self.date()}{dash}{self.date()}", f"{r.randint(6, 12)}{dash}{r.randint(13, 22)} Uhr",
                             f"Mo{dash}Fr", f"{self.eu_amount()}{dash}{self.eu_amount()}", f"S. {a}{dash}{a + 9}",
                             f"pp. {a}{dash}{a + r.randint(1, 30)}", f"{self.time()}{dash}{self.time()}"])
        u = r.random()
        if u < 0.3:
            return rng_text
        words = " ".join(self.eu_word() if r.random() < 0.5 else self.en_word() for _ in range(r.randint(1, 4)))
        return f"{words} {rng_text}" if u < 0.7 else f"{words} – {self.eu_word()} {rng_text}"

    def bullet_line(self) -> str:
        """Bulleted list items and dot-separated runs (• item, A • B • C), ticks of checklists."""
        r = self.rng
        item = lambda: r.choice([self.en_sentence, self.eu_sentence, lambda: self.zh_words(r.randint(1, 4)),
                                 self.label_value])()
        u = r.random()
        if u < 0.6:
            return r.choice(["• ", "•  ", "•", "✓ ", "- "]) + item()
        if u < 0.85:
            return r.choice([" • ", " · ", "•"]).join(
                self.eu_word() if r.random() < 0.5 else self.en_word() for _ in range(r.randint(2, 5)))
        return r.choice(["✓", "•", "〇", "○"]) + r.choice([" ", ""]) + item()

    def numbers(self) -> str:
        r = self.rng
        return r.choice([" ", "  ", "\t"]).join(r.choice([self.amount, lambda: self.digits(r.randint(1, 8)),
                                                        self.time, self.date])() for _ in range(r.randint(1, 6))).replace("\t", "   ")

    def symbol_line(self) -> str:
        r = self.rng
        pool = self.symbols + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
        return "".join(r.choice(pool) if r.random() < 0.5 else self.rng.choice(self.charset) for _ in range(r.randint(1, 12)))

    def single(self) -> str:
        return self.rng.choice(self.charset[1:])

    # ---- entry point ----------------------------------------------------------------------------
    def line(self, max_len: int = MAX_LEN) -> str:
        r = self.rng
        while True:
            kind = self.kinds[bisect.bisect_left(self.kind_cum, r.random() * self.kind_cum[-1])][0]
            s = kind()
            if r.random() < 0.15:  # two snippets on one line, as in table rows
                s = s + r.choice([" ", "  ", "   "]) + self.kinds[r.randrange(len(self.kinds) - 1)][0]()
            s = " ".join(s.split(" ")) if "  " not in s else s
            s = s.strip()
            if len(s) > max_len:
                start = r.randrange(len(s) - max_len + 1) if r.random() < 0.5 else 0
                s = s[start:start + r.randint(max(1, max_len // 2), max_len)].strip()
            if s and all(c in self.allowed for c in s):
                return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=100000)
    ap.add_argument("--show", type=int, default=30)
    args = ap.parse_args()
    charset = load_charset()
    gen = TextGen(charset, seed=1)
    for _ in range(args.show):
        print(gen.line())
    counts = collections.Counter()
    lengths = []
    for _ in range(args.sample):
        s = gen.line()
        counts.update(s)
        lengths.append(len(s))
    per_class = sorted((counts.get(c, 0), c) for c in charset)
    print(f"{args.sample} lines, mean length {sum(lengths) / len(lengths):.1f}, "
          f"classes never seen: {sum(1 for n, _ in per_class if n == 0)}")
    print("rarest:", " ".join(f"{c!r}:{n}" for n, c in per_class[:20]))
    print("percentiles of per-class count (1%, 5%, 50%):",
          per_class[len(per_class) // 100][0], per_class[len(per_class) // 20][0], per_class[len(per_class) // 2][0])
    ext = sorted((counts.get(c, 0), c) for c in LATIN_EXTENSION)
    print(f"Latin extension ({len(ext)} classes), rarest first:", " ".join(f"{c}:{n}" for n, c in ext))


if __name__ == "__main__":
    main()
