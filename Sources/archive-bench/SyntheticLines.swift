// Realistic synthetic archive lines for the search benchmark: Chinese VAT-invoice fields,
// Chinese prose with a Zipf-like character distribution, English invoice lines, amounts and
// dates in several notations. Deterministic (seeded), so every run fills the same archive.

import Foundation

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

enum SyntheticText {
    /// About 500 common hanzi, most frequent first (rank drives the Zipf-like draw).
    static let commonHanzi = Array("""
        的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里\
        后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两\
        长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业\
        最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万\
        市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系\
        计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱\
        让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达\
        办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未\
        持音送税票款货币额率购销售纳址账库存单据凭证审核批准签章盖印
        """)
    static let cities = ["北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆"]
    static let trades = ["星辰", "华信", "东方", "宏远", "金桥", "天成", "瑞丰", "鼎盛", "恒通", "新世纪", "长城", "光明"]
    static let businesses = ["贸易", "科技", "实业", "物流", "电子", "建筑", "咨询", "餐饮", "医药", "文化传媒"]
    static let items = ["办公用品", "打印纸", "电脑配件", "运输服务", "咨询服务费", "餐饮服务", "技术服务费",
                        "水费", "电费", "维修费", "会议费", "住宿费", "墨盒", "显示器", "软件许可"]
    static let units = ["个", "箱", "件", "次", "台", "套", "项", "吨", "米"]
    static let labels = ["发票号码", "发票代码", "开票日期", "校验码", "机器编号", "纳税人识别号", "开户行及账号",
                         "地址、电话", "收款人", "复核", "开票人", "备注", "价税合计（大写）", "合计金额", "合计税额"]
    static let companies = ["ACME GmbH", "Globex Corporation", "Initech Ltd", "Umbrella AG", "Stark Industries",
                            "Wayne Enterprises", "Hooli Inc", "Vandelay Industries", "Müller & Söhne KG",
                            "Cyberdyne Systems", "Soylent Corp", "Tyrell BV"]
    static let englishWords = """
        invoice total amount due payment date customer order number quantity unit price tax net gross \
        account bank transfer reference please pay within days thank you for your business shipping \
        handling discount subtotal balance description item service hours rate consulting software \
        license support maintenance delivery address phone email website registered office director \
        terms conditions late fee interest credit note receipt paid received statement period vat \
        currency euro dollar yuan remittance swift iban purchase contract project milestone report
        """.split(separator: " ").map(String.init)

    static func zipfHanzi(_ random: inout SplitMix64) -> Character {
        // Rank r drawn with probability ~ 1/(r+10): common characters dominate, the tail appears.
        let u = Double.random(in: 0..<1, using: &random)
        let n = Double(commonHanzi.count)
        let rank = Int((pow(n + 10, u) * pow(10, 1 - u)) - 10)
        return commonHanzi[min(max(rank, 0), commonHanzi.count - 1)]
    }

    static func digits(_ count: Int, _ random: inout SplitMix64) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    static func amount(_ random: inout SplitMix64, grouped: Bool) -> String {
        let cents = Int.random(in: 100...5_000_000, using: &random)
        let whole = cents / 100
        let fraction = String(format: "%02d", cents % 100)
        guard grouped, whole >= 1000 else { return "\(whole).\(fraction)" }
        return "\(whole / 1000),\(String(format: "%03d", whole % 1000)).\(fraction)"
    }

    static func line(_ random: inout SplitMix64) -> String {
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let year = Int.random(in: 2019...2025, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...28, using: &random)
        switch Int.random(in: 0..<20, using: &random) {
        case 0...6:
            let length = Int.random(in: 6...24, using: &random)
            return String((0..<length).map { _ in zipfHanzi(&random) })
        case 7: return "发票号码：\(digits(20, &random))"
        case 8: return "开票日期：\(year)年\(month)月\(day)日"
        case 9: return "购买方名称：\(pick(cities))\(pick(trades))\(pick(businesses))有限公司"
        case 10: return "价税合计（小写）¥\(amount(&random, grouped: Bool.random(using: &random)))"
        case 11:
            let quantity = Int.random(in: 1...50, using: &random)
            return "\(pick(items)) \(quantity) \(pick(units)) \(amount(&random, grouped: false)) \(amount(&random, grouped: true))"
        case 12: return "\(pick(labels))：\(digits(Int.random(in: 8...18, using: &random), &random))"
        case 13: return "\(pick(companies)) Invoice No. INV-\(year)-\(digits(5, &random))"
        case 14: return "Total amount \(amount(&random, grouped: true)) EUR, due \(year)-\(String(format: "%02d-%02d", month, day))"
        default:
            let length = Int.random(in: 4...12, using: &random)
            var words = (0..<length).map { _ in pick(englishWords) }
            words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
            return words.joined(separator: " ")
        }
    }
}
