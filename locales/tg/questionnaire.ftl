# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = Мо бо маълумот дар бораи шахсияти шумо чӣ гуна муносибат кунем?
q-anonymity-help = Интихоб аз они шумост. Ҳар чӣ интихоб кунед, гузориши шумо пеш аз нигоҳдорӣ рамзгузорӣ мешавад.
q-anonymity-opt-anonymous = Беном: напурсед, ки ман кистам. Ҳеҷ кас номи маро намедонад.
q-anonymity-opt-confidential = Махфӣ: ман метавонам ном ва тамоси худро диҳам, аммо онҳоро танҳо чанд коршиноси боэътимод мебинанд ва ҳеҷ гоҳ ба дигарон дода намешаванд.
q-anonymity-opt-consented = Бо розигӣ: ман метавонам ном ва тамоси худро диҳам ва метавонам иҷозат диҳам, ки онҳо ба СММ дода шаванд.

q-reporter_relationship = Шумо ба шахсе, ки дар хатар аст, чӣ нисбат доред?
q-reporter_relationship-opt-self = Худам шахси дар хатар ҳастам
q-reporter_relationship-opt-family = Узви оила
q-reporter_relationship-opt-colleague = Ҳамкор
q-reporter_relationship-opt-organisation = Ташкилот
q-reporter_relationship-opt-lawyer = Адвокат
q-reporter_relationship-opt-witness = Шоҳид
q-reporter_relationship-opt-other = Дигар

q-victim_type = Кӣ ҳадаф қарор гирифт?
q-victim_type-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-victim_type-opt-defender = Ҳимоятгари ҳуқуқи инсон
q-victim_type-opt-journalist = Рӯзноманигор
q-victim_type-opt-lawyer = Адвокат
q-victim_type-opt-victim_or_witness = Ҷабрдида ё шоҳиди вайронкунии ҳуқуқ
q-victim_type-opt-relative = Хеши ҳимоятгар ё ҷабрдида
q-victim_type-opt-ngo = Ташкилоти ғайриҳукуматӣ
q-victim_type-opt-community = Ҷамоа ё гурӯҳ
q-victim_type-opt-indigenous_representative = Намояндаи мардуми бумӣ
q-victim_type-opt-trade_unionist = Узви иттифоқи касаба
q-victim_type-opt-nhri = Муассисаи миллии ҳуқуқи инсон
q-victim_type-opt-un_staff = Корманди СММ
q-victim_type-opt-other = Дигар

q-country = Ин дар кадом кишвар рӯй дод?

q-locality = Шаҳр ё минтақа (ихтиёрӣ)
q-locality-help = Номи ҷои хурд метавонад шахсияти шуморо ошкор кунад. Агар боварӣ надошта бошед, холӣ гузоред.

q-incident_date = Ин кай рӯй дод? (ихтиёрӣ)
q-incident_date-help = Танҳо он чиро, ки медонед, нависед: сол, моҳ ё рӯзи дақиқ.
q-incident_date-year = Сол
q-incident_date-month = Моҳ
q-incident_date-day = Рӯз
q-incident_date-precision = Шумо ба ин сана чӣ қадар боварӣ доред?
q-incident_date-precision-exact = Дақиқ
q-incident_date-precision-estimate = Тахминӣ
q-incident_date-precision-unknown = Намедонам

q-ongoing = Оё ин ҳоло ҳам идома дорад?
q-ongoing-opt-yes = Бале
q-ongoing-opt-no = Не
q-ongoing-opt-unknown = Намедонам

q-reprisal_types = Чӣ рӯй дод?
q-reprisal_types-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-reprisal_types-opt-threats_harassment = Таҳдид ё таъқиб
q-reprisal_types-opt-death_threat = Таҳдиди куштан
q-reprisal_types-opt-smear_campaign = Маъракаи бадномкунӣ
q-reprisal_types-opt-online_harassment = Таъқиб дар интернет
q-reprisal_types-opt-hacking_cyberattack = Рахнагарӣ (ҳакерӣ) ё ҳамлаи киберӣ
q-reprisal_types-opt-physical_surveillance = Пайгирӣ ва назорати ҷисмонӣ
q-reprisal_types-opt-digital_surveillance = Назорати рақамӣ
q-reprisal_types-opt-travel_ban = Манъи сафар
q-reprisal_types-opt-judicial_harassment = Таъқиби судӣ ё ҷиноӣ
q-reprisal_types-opt-arbitrary_detention = Ҳабс ё боздошти худсарона
q-reprisal_types-opt-house_arrest = Ҳабси хонагӣ
q-reprisal_types-opt-enforced_disappearance = Нопадидшавии маҷбурӣ
q-reprisal_types-opt-torture_ill_treatment = Шиканҷа ё муносибати бераҳмона
q-reprisal_types-opt-physical_attack = Ҳамлаи ҷисмонӣ
q-reprisal_types-opt-killing = Куштор
q-reprisal_types-opt-raid_search = Ҳуҷум ё кофтуков
q-reprisal_types-opt-confiscation_damage = Мусодира ё осеб расонидан ба амвол
q-reprisal_types-opt-ngo_deregistration = Бекор кардани бақайдгирии ташкилот
q-reprisal_types-opt-office_closure = Бастани дафтар
q-reprisal_types-opt-restrictive_legislation = Қонунҳои маҳдудкунанда
q-reprisal_types-opt-fines_asset_freeze = Ҷарима ё ях кардани дороиҳо
q-reprisal_types-opt-dismissal_disbarment = Аз кор озод кардан ё маҳрум кардан аз иҷозатномаи адвокатӣ
q-reprisal_types-opt-deportation_exile = Ихроҷ аз кишвар ё бадарғаи маҷбурӣ
q-reprisal_types-opt-deterred_from_cooperating = Монеъ шудан ба ҳамкорӣ бо СММ
q-reprisal_types-opt-other = Дигар

q-un_engagement = Оё ин пас аз тамос бо СММ рӯй дод? Бо кадом қисми он?
q-un_engagement-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-un_engagement-opt-hrc_session = Иҷлосияи Шӯрои ҳуқуқи инсон
q-un_engagement-opt-upr = Баррасии универсалии даврӣ
q-un_engagement-opt-special_procedures = Маърӯзачиёни махсус ё дигар расмиёти махсус
q-un_engagement-opt-treaty_body = Мақоми шартномавӣ
q-un_engagement-opt-ohchr_presence = Дафтари ҳуқуқи инсони СММ
q-un_engagement-opt-un_country_team = Гурӯҳи кишварии СММ
q-un_engagement-opt-peace_operation = Амалиёти сулҳи СММ
q-un_engagement-opt-commission_of_inquiry = Комиссияи тафтишотӣ
q-un_engagement-opt-security_council = Шӯрои Амният
q-un_engagement-opt-other_un_body = Мақоми дигари СММ
q-un_engagement-opt-none = Ҳеҷ кадом

q-un_engagement_detail = Тафсилоти тамос бо СММ (ихтиёрӣ)
q-un_engagement_detail-help = Масалан, иҷлосия, мандат ё рақамҳои ҳуҷҷатҳо.

q-perpetrator_types = Кӣ масъул буд?
q-perpetrator_types-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-perpetrator_types-opt-police = Милитсия (пулис)
q-perpetrator_types-opt-military = Низомиён
q-perpetrator_types-opt-intelligence = Хадамоти иктишофӣ ё амниятӣ
q-perpetrator_types-opt-judiciary = Судҳо ё прокуратура
q-perpetrator_types-opt-local_officials = Мансабдорони маҳаллӣ
q-perpetrator_types-opt-national_officials = Мансабдорони сатҳи миллӣ
q-perpetrator_types-opt-pro_government_group = Гурӯҳи тарафдори ҳукумат
q-perpetrator_types-opt-armed_group = Гурӯҳи мусаллаҳ
q-perpetrator_types-opt-private_individual = Шахси алоҳида
q-perpetrator_types-opt-corporation = Ширкат
q-perpetrator_types-opt-media = Васоити ахбори омма
q-perpetrator_types-opt-unknown = Номаълум

q-narrative = Чӣ рӯй дод? Бо суханони худ нақл кунед.
q-narrative-help = Бо ҳар забон навиштан мумкин аст. Танҳо он чиро нависед, ки гуфтанаш барои шумо бароҳат аст.

q-current_risk = Ҳоло вазъ чӣ гуна аст?
q-current_risk-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-current_risk-opt-detained = Касе дар ҳабс аст
q-current_risk-opt-whereabouts_unknown = Ҷойи будубоши касе номаълум аст
q-current_risk-opt-family_at_risk = Аъзои оила дар хатаранд
q-current_risk-opt-devices_compromised = Шояд телефонҳо ё компютерҳо рахна шуда бошанд
q-current_risk-opt-travel_blocked = Сафар манъ аст
q-current_risk-opt-court_date_pending = Ба наздикӣ суд баргузор мешавад
q-current_risk-opt-none = Ҳеҷ яке аз инҳо

q-help_needed = Кадом кӯмак муфид мебуд?
q-help_needed-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-help_needed-opt-legal = Кӯмаки ҳуқуқӣ
q-help_needed-opt-digital_security = Амнияти рақамӣ
q-help_needed-opt-medical = Кӯмаки тиббӣ
q-help_needed-opt-relocation = Кӯчидан ба ҷои бехатар
q-help_needed-opt-advocacy = Ҳимоя ва таблиғ (адвокатсия)
q-help_needed-opt-raise_with_un = Пешниҳоди масъала ба СММ
q-help_needed-opt-none = Ҳеҷ кадом

q-prior_reporting = Оё дар бораи ин ба ҷои дигар хабар додаед?
q-prior_reporting-help = Ҳамаи ҷавобҳои мувофиқро интихоб кунед.
q-prior_reporting-opt-un = СММ
q-prior_reporting-opt-national_authority = Мақоми давлатии кишвар
q-prior_reporting-opt-nhri = Муассисаи миллии ҳуқуқи инсон
q-prior_reporting-opt-ngo = Ташкилоти ғайриҳукуматӣ
q-prior_reporting-opt-media = Васоити ахбори омма
q-prior_reporting-opt-none = Ба ҳеҷ ҷои дигар

q-attachments = Файлҳо (ихтиёрӣ)

q-identity_name = Номи шумо (ихтиёрӣ)
q-identity_contact_channel = Бо шумо чӣ тавр тамос гирем? (ихтиёрӣ)
q-identity_contact_channel-opt-email = Почтаи электронӣ
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Телефон
q-identity_contact_channel-opt-other = Дигар
q-identity_contact = Маълумоти тамоси шумо (ихтиёрӣ)
q-identity_contact-help = Танҳо тамосеро диҳед, ки истифодаи он барои шумо бехатар аст.

q-consent_informed_of_risks = Ман мефаҳмам, ки ҳар гуна амал оид ба парвандаи ман, ҳатто амали эҳтиёткорона, каме хатар дорад.
q-consent_share_ohchr = Парвандаи маро ба гурӯҳи СММ, ки бо амалҳои интиқомӣ сару кор дорад, супоридан мумкин аст.
q-consent_raise_with_state = Парвандаи маро дар назди ҳукумати дахлдор матраҳ кардан мумкин аст.
q-consent_sg_report = Оё парвандаи ман метавонад дар гузориши оммавии Дабири кулли СММ дар бораи амалҳои интиқомӣ зикр шавад?
q-consent_sg_report-opt-named = Бале, бо номҳо
q-consent_sg_report-opt-anonymous = Бале, вале бе номҳо
q-consent_sg_report-opt-no = Не
q-consent_share_protection_orgs = Парвандаи маро ба ташкилотҳое, ки ҳимоятгарони ҳуқуқи инсонро ҳимоя мекунанд, додан мумкин аст.
q-consent_contact_back = Коршиносон метавонанд тавассути ҳамин сомона ба ман ҷавоб диҳанд.
q-consent_share_identity_un = Ном ва тамоси маро ба СММ додан мумкин аст.

opt-yes = Бале
opt-no = Не
q-attachments-help = Шумо метавонед ҳуҷҷат, акс, аудио ё видео илова кунед. Пеш аз нигоҳ доштан мо аз дохили файлҳо маълумотеро, ки шахсияти шуморо ошкор карда метавонад, нест мекунем: макон, камера, муаллиф.
