# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = 我们应如何处理您的身份信息？
q-anonymity-help = 由您选择。无论您如何选择，您的报告在存储前都会被加密。
q-anonymity-opt-anonymous = 匿名：不要问我是谁。没有人会知道我的姓名。
q-anonymity-opt-confidential = 保密：我可以提供姓名和联系方式，但只有少数可信的审核人员可以看到，且绝不会对外分享。
q-anonymity-opt-consented = 同意分享：我可以提供姓名和联系方式，并可以允许将其分享给联合国。

q-reporter_relationship = 您与面临危险的人是什么关系？
q-reporter_relationship-opt-self = 我就是面临危险的人
q-reporter_relationship-opt-family = 家庭成员
q-reporter_relationship-opt-colleague = 同事
q-reporter_relationship-opt-organisation = 组织
q-reporter_relationship-opt-lawyer = 律师
q-reporter_relationship-opt-witness = 证人
q-reporter_relationship-opt-other = 其他

q-victim_type = 谁是被针对的对象？
q-victim_type-help = 请选择所有适用的选项。
q-victim_type-opt-defender = 人权维护者
q-victim_type-opt-journalist = 记者
q-victim_type-opt-lawyer = 律师
q-victim_type-opt-victim_or_witness = 侵权行为的受害者或证人
q-victim_type-opt-relative = 人权维护者或受害者的亲属
q-victim_type-opt-ngo = 非政府组织
q-victim_type-opt-community = 社区或群体
q-victim_type-opt-indigenous_representative = 土著人民代表
q-victim_type-opt-trade_unionist = 工会会员
q-victim_type-opt-nhri = 国家人权机构
q-victim_type-opt-un_staff = 联合国工作人员
q-victim_type-opt-other = 其他

q-country = 事情发生在哪个国家？

q-locality = 城镇或地区（选填）
q-locality-help = 地方太小可能会暴露您的身份。如果不确定，请留空。

q-incident_date = 事情发生在什么时候？（选填）
q-incident_date-help = 只填写您知道的：年份、月份或确切日期。
q-incident_date-year = 年
q-incident_date-month = 月
q-incident_date-day = 日
q-incident_date-precision = 您对这个日期有多确定？
q-incident_date-precision-exact = 确切
q-incident_date-precision-estimate = 估计
q-incident_date-precision-unknown = 我不知道

q-ongoing = 这种情况是否仍在持续？
q-ongoing-opt-yes = 是
q-ongoing-opt-no = 否
q-ongoing-opt-unknown = 我不知道

q-reprisal_types = 发生了什么？
q-reprisal_types-help = 请选择所有适用的选项。
q-reprisal_types-opt-threats_harassment = 威胁或骚扰
q-reprisal_types-opt-death_threat = 死亡威胁
q-reprisal_types-opt-smear_campaign = 抹黑运动
q-reprisal_types-opt-online_harassment = 网络骚扰
q-reprisal_types-opt-hacking_cyberattack = 黑客入侵或网络攻击
q-reprisal_types-opt-physical_surveillance = 人身监视（跟踪、盯梢）
q-reprisal_types-opt-digital_surveillance = 数字监控
q-reprisal_types-opt-travel_ban = 禁止出行
q-reprisal_types-opt-judicial_harassment = 司法骚扰或起诉
q-reprisal_types-opt-arbitrary_detention = 任意逮捕或拘留
q-reprisal_types-opt-house_arrest = 软禁
q-reprisal_types-opt-enforced_disappearance = 强迫失踪
q-reprisal_types-opt-torture_ill_treatment = 酷刑或虐待
q-reprisal_types-opt-physical_attack = 人身攻击
q-reprisal_types-opt-killing = 杀害
q-reprisal_types-opt-raid_search = 突袭或搜查
q-reprisal_types-opt-confiscation_damage = 没收或损坏财产
q-reprisal_types-opt-ngo_deregistration = 组织被注销登记
q-reprisal_types-opt-office_closure = 办公室被关闭
q-reprisal_types-opt-restrictive_legislation = 限制性法律
q-reprisal_types-opt-fines_asset_freeze = 罚款或资产冻结
q-reprisal_types-opt-dismissal_disbarment = 被解雇或被吊销律师执照
q-reprisal_types-opt-deportation_exile = 驱逐出境或被迫流亡
q-reprisal_types-opt-deterred_from_cooperating = 被阻止与联合国合作
q-reprisal_types-opt-other = 其他

q-un_engagement = 这件事是否发生在与联合国接触之后？是联合国的哪个部分？
q-un_engagement-help = 请选择所有适用的选项。
q-un_engagement-opt-hrc_session = 人权理事会会议
q-un_engagement-opt-upr = 普遍定期审议
q-un_engagement-opt-special_procedures = 特别报告员或其他特别程序
q-un_engagement-opt-treaty_body = 条约机构
q-un_engagement-opt-ohchr_presence = 联合国人权办事处
q-un_engagement-opt-un_country_team = 联合国国家工作队
q-un_engagement-opt-peace_operation = 联合国和平行动
q-un_engagement-opt-commission_of_inquiry = 调查委员会
q-un_engagement-opt-security_council = 安全理事会
q-un_engagement-opt-other_un_body = 联合国其他机构
q-un_engagement-opt-none = 都没有

q-un_engagement_detail = 与联合国接触的详情（选填）
q-un_engagement_detail-help = 例如：会议届次、任务或文号。

q-perpetrator_types = 谁应对此负责？
q-perpetrator_types-help = 请选择所有适用的选项。
q-perpetrator_types-opt-police = 警察
q-perpetrator_types-opt-military = 军队
q-perpetrator_types-opt-intelligence = 情报部门
q-perpetrator_types-opt-judiciary = 法院或检察机关
q-perpetrator_types-opt-local_officials = 地方官员
q-perpetrator_types-opt-national_officials = 国家级官员
q-perpetrator_types-opt-pro_government_group = 亲政府团体
q-perpetrator_types-opt-armed_group = 武装团体
q-perpetrator_types-opt-private_individual = 个人
q-perpetrator_types-opt-corporation = 公司
q-perpetrator_types-opt-media = 媒体
q-perpetrator_types-opt-unknown = 不详

q-narrative = 发生了什么？请用您自己的话告诉我们。
q-narrative-help = 可以使用任何语言。只写您愿意分享的内容。

q-current_risk = 现在的情况如何？
q-current_risk-help = 请选择所有适用的选项。
q-current_risk-opt-detained = 有人被拘押
q-current_risk-opt-whereabouts_unknown = 有人下落不明
q-current_risk-opt-family_at_risk = 家庭成员面临危险
q-current_risk-opt-devices_compromised = 手机或电脑可能已被入侵
q-current_risk-opt-travel_blocked = 无法出行
q-current_risk-opt-court_date_pending = 即将开庭
q-current_risk-opt-none = 以上都没有

q-help_needed = 什么样的帮助会有用？
q-help_needed-help = 请选择所有适用的选项。
q-help_needed-opt-legal = 法律援助
q-help_needed-opt-digital_security = 数字安全
q-help_needed-opt-medical = 医疗帮助
q-help_needed-opt-relocation = 转移到安全地点
q-help_needed-opt-advocacy = 倡导
q-help_needed-opt-raise_with_un = 向联合国反映
q-help_needed-opt-none = 都不需要

q-prior_reporting = 您是否曾在其他地方报告过此事？
q-prior_reporting-help = 请选择所有适用的选项。
q-prior_reporting-opt-un = 联合国
q-prior_reporting-opt-national_authority = 国家主管部门
q-prior_reporting-opt-nhri = 国家人权机构
q-prior_reporting-opt-ngo = 非政府组织
q-prior_reporting-opt-media = 媒体
q-prior_reporting-opt-none = 没有在其他地方报告过

q-attachments = 文件（选填）

q-identity_name = 您的姓名（选填）
q-identity_contact_channel = 我们如何联系您？（选填）
q-identity_contact_channel-opt-email = 电子邮件
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = 电话
q-identity_contact_channel-opt-other = 其他
q-identity_contact = 您的联系方式（选填）
q-identity_contact-help = 只提供对您来说安全的联系方式。

q-consent_informed_of_risks = 我明白，对我的案件采取的任何行动，即使很谨慎，也会带有一定风险。
q-consent_share_ohchr = 可以将我的案件转交给联合国负责处理报复问题的团队。
q-consent_raise_with_state = 可以向有关国家政府提出我的案件。
q-consent_sg_report = 我的案件可以写入联合国秘书长关于报复问题的公开报告吗？
q-consent_sg_report-opt-named = 可以，写明姓名
q-consent_sg_report-opt-anonymous = 可以，但不写姓名
q-consent_sg_report-opt-no = 不可以
q-consent_share_protection_orgs = 可以将我的案件分享给保护人权维护者的组织。
q-consent_contact_back = 审核人员可以通过本网站回复我。
q-consent_share_identity_un = 可以将我的姓名和联系方式提供给联合国。

opt-yes = 是
opt-no = 否
q-attachments-help = 您可以附上文档、照片、音频或视频。存储前，我们会删除文件中可能识别您身份的信息：位置、相机、作者。
