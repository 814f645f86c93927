# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = ہم آپ کی شناخت کے ساتھ کیا برتاؤ کریں؟
q-anonymity-help = انتخاب آپ کا ہے۔ آپ جو بھی منتخب کریں، آپ کی رپورٹ محفوظ کرنے سے پہلے انکرپٹ کی جاتی ہے۔
q-anonymity-opt-anonymous = گمنام: مجھ سے نہ پوچھیں کہ میں کون ہوں۔ کسی کو میرا نام معلوم نہیں ہو گا۔
q-anonymity-opt-confidential = رازدارانہ: میں اپنا نام اور رابطہ دے سکتا/سکتی ہوں، لیکن انہیں صرف چند قابلِ اعتماد جائزہ کار دیکھ سکیں گے، اور انہیں کبھی کسی کو نہیں دیا جائے گا۔
q-anonymity-opt-consented = رضامندی کے ساتھ: میں اپنا نام اور رابطہ دے سکتا/سکتی ہوں، اور اجازت دے سکتا/سکتی ہوں کہ انہیں اقوام متحدہ کو دیا جائے۔

q-reporter_relationship = خطرے میں موجود شخص سے آپ کا کیا تعلق ہے؟
q-reporter_relationship-opt-self = خطرے میں موجود شخص میں خود ہوں
q-reporter_relationship-opt-family = خاندان کا فرد
q-reporter_relationship-opt-colleague = ساتھی کارکن
q-reporter_relationship-opt-organisation = کوئی تنظیم
q-reporter_relationship-opt-lawyer = وکیل
q-reporter_relationship-opt-witness = گواہ
q-reporter_relationship-opt-other = دیگر

q-victim_type = کسے نشانہ بنایا گیا؟
q-victim_type-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-victim_type-opt-defender = انسانی حقوق کا محافظ
q-victim_type-opt-journalist = صحافی
q-victim_type-opt-lawyer = وکیل
q-victim_type-opt-victim_or_witness = کسی خلاف ورزی کا متاثرہ فرد یا گواہ
q-victim_type-opt-relative = کسی محافظ یا متاثرہ فرد کا رشتہ دار
q-victim_type-opt-ngo = غیر سرکاری تنظیم
q-victim_type-opt-community = برادری یا گروہ
q-victim_type-opt-indigenous_representative = مقامی (قدیم) باشندوں کا نمائندہ
q-victim_type-opt-trade_unionist = ٹریڈ یونین کارکن
q-victim_type-opt-nhri = قومی انسانی حقوق ادارہ
q-victim_type-opt-un_staff = اقوام متحدہ کا عملہ
q-victim_type-opt-other = دیگر

q-country = یہ کس ملک میں ہوا؟

q-locality = شہر یا علاقہ (اختیاری)
q-locality-help = کسی چھوٹی جگہ کا نام آپ کی شناخت ظاہر کر سکتا ہے۔ اگر یقین نہ ہو تو خالی چھوڑ دیں۔

q-incident_date = یہ کب ہوا؟ (اختیاری)
q-incident_date-help = صرف وہی لکھیں جو آپ کو معلوم ہے: سال، مہینہ یا ٹھیک دن۔
q-incident_date-year = سال
q-incident_date-month = مہینہ
q-incident_date-day = دن
q-incident_date-precision = آپ کو اس تاریخ کا کتنا یقین ہے؟
q-incident_date-precision-exact = بالکل درست
q-incident_date-precision-estimate = اندازاً
q-incident_date-precision-unknown = مجھے معلوم نہیں

q-ongoing = کیا یہ اب بھی جاری ہے؟
q-ongoing-opt-yes = ہاں
q-ongoing-opt-no = نہیں
q-ongoing-opt-unknown = مجھے معلوم نہیں

q-reprisal_types = کیا ہوا؟
q-reprisal_types-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-reprisal_types-opt-threats_harassment = دھمکیاں یا ہراسانی
q-reprisal_types-opt-death_threat = جان سے مارنے کی دھمکی
q-reprisal_types-opt-smear_campaign = کردار کشی کی مہم
q-reprisal_types-opt-online_harassment = آن لائن ہراسانی
q-reprisal_types-opt-hacking_cyberattack = ہیکنگ یا سائبر حملہ
q-reprisal_types-opt-physical_surveillance = جسمانی نگرانی (پیچھا کرنا)
q-reprisal_types-opt-digital_surveillance = ڈیجیٹل نگرانی
q-reprisal_types-opt-travel_ban = سفری پابندی
q-reprisal_types-opt-judicial_harassment = عدالتی ہراسانی یا مقدمہ
q-reprisal_types-opt-arbitrary_detention = من مانی گرفتاری یا حراست
q-reprisal_types-opt-house_arrest = گھر میں نظربندی
q-reprisal_types-opt-enforced_disappearance = جبری گمشدگی
q-reprisal_types-opt-torture_ill_treatment = تشدد یا بدسلوکی
q-reprisal_types-opt-physical_attack = جسمانی حملہ
q-reprisal_types-opt-killing = قتل
q-reprisal_types-opt-raid_search = چھاپہ یا تلاشی
q-reprisal_types-opt-confiscation_damage = جائیداد کی ضبطی یا اسے نقصان
q-reprisal_types-opt-ngo_deregistration = کسی تنظیم کی رجسٹریشن منسوخ کرنا
q-reprisal_types-opt-office_closure = دفتر کی بندش
q-reprisal_types-opt-restrictive_legislation = پابندیاں لگانے والے قوانین
q-reprisal_types-opt-fines_asset_freeze = جرمانے یا اثاثے منجمد کرنا
q-reprisal_types-opt-dismissal_disbarment = ملازمت سے برطرفی یا وکالت کا لائسنس منسوخ کرنا
q-reprisal_types-opt-deportation_exile = ملک بدری یا جبری جلاوطنی
q-reprisal_types-opt-deterred_from_cooperating = اقوام متحدہ کے ساتھ تعاون سے روکنا
q-reprisal_types-opt-other = دیگر

q-un_engagement = کیا یہ اقوام متحدہ سے رابطے کے بعد ہوا؟ کس حصے سے؟
q-un_engagement-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-un_engagement-opt-hrc_session = انسانی حقوق کونسل کا اجلاس
q-un_engagement-opt-upr = یونیورسل پیریاڈک ریویو (عالمگیر متواتر جائزہ)
q-un_engagement-opt-special_procedures = خصوصی نمائندے (اسپیشل ریپورٹرز) یا دیگر خصوصی طریقۂ کار
q-un_engagement-opt-treaty_body = کوئی معاہداتی ادارہ (ٹریٹی باڈی)
q-un_engagement-opt-ohchr_presence = اقوام متحدہ کا کوئی انسانی حقوق دفتر
q-un_engagement-opt-un_country_team = اقوام متحدہ کی کنٹری ٹیم
q-un_engagement-opt-peace_operation = اقوام متحدہ کا کوئی امن مشن
q-un_engagement-opt-commission_of_inquiry = کوئی تحقیقاتی کمیشن
q-un_engagement-opt-security_council = سلامتی کونسل
q-un_engagement-opt-other_un_body = اقوام متحدہ کا کوئی اور ادارہ
q-un_engagement-opt-none = کوئی نہیں

q-un_engagement_detail = اقوام متحدہ سے رابطے کی تفصیل (اختیاری)
q-un_engagement_detail-help = مثلاً اجلاس، مینڈیٹ یا حوالہ نمبر۔

q-perpetrator_types = اس کا ذمہ دار کون تھا؟
q-perpetrator_types-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-perpetrator_types-opt-police = پولیس
q-perpetrator_types-opt-military = فوج
q-perpetrator_types-opt-intelligence = خفیہ ادارے
q-perpetrator_types-opt-judiciary = عدالتیں یا استغاثہ
q-perpetrator_types-opt-local_officials = مقامی اہلکار
q-perpetrator_types-opt-national_officials = قومی سطح کے اہلکار
q-perpetrator_types-opt-pro_government_group = حکومت کا حامی گروہ
q-perpetrator_types-opt-armed_group = مسلح گروہ
q-perpetrator_types-opt-private_individual = کوئی عام فرد
q-perpetrator_types-opt-corporation = کمپنی
q-perpetrator_types-opt-media = میڈیا
q-perpetrator_types-opt-unknown = معلوم نہیں

q-narrative = کیا ہوا؟ اپنے الفاظ میں بتائیں۔
q-narrative-help = آپ کسی بھی زبان میں لکھ سکتے ہیں۔ صرف وہی لکھیں جو بتانے میں آپ کو اطمینان ہو۔

q-current_risk = اب کیا صورتِ حال ہے؟
q-current_risk-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-current_risk-opt-detained = کوئی زیرِ حراست ہے
q-current_risk-opt-whereabouts_unknown = کسی کا کچھ پتا نہیں کہ وہ کہاں ہے
q-current_risk-opt-family_at_risk = خاندان کے افراد خطرے میں ہیں
q-current_risk-opt-devices_compromised = ہو سکتا ہے فون یا کمپیوٹر ہیک ہو چکے ہوں
q-current_risk-opt-travel_blocked = سفر پر پابندی ہے
q-current_risk-opt-court_date_pending = عدالت کی پیشی قریب ہے
q-current_risk-opt-none = ان میں سے کچھ نہیں

q-help_needed = کون سی مدد مفید ہو گی؟
q-help_needed-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-help_needed-opt-legal = قانونی مدد
q-help_needed-opt-digital_security = ڈیجیٹل تحفظ
q-help_needed-opt-medical = طبی مدد
q-help_needed-opt-relocation = کسی محفوظ جگہ منتقلی
q-help_needed-opt-advocacy = وکالت اور آواز اٹھانا (ایڈووکیسی)
q-help_needed-opt-raise_with_un = معاملہ اقوام متحدہ کے سامنے اٹھانا
q-help_needed-opt-none = کوئی نہیں

q-prior_reporting = کیا آپ نے اس کی اطلاع کہیں اور بھی دی ہے؟
q-prior_reporting-help = جو بھی لاگو ہوں، سب منتخب کریں۔
q-prior_reporting-opt-un = اقوام متحدہ
q-prior_reporting-opt-national_authority = کوئی ملکی سرکاری ادارہ
q-prior_reporting-opt-nhri = کوئی قومی انسانی حقوق ادارہ
q-prior_reporting-opt-ngo = کوئی غیر سرکاری تنظیم
q-prior_reporting-opt-media = میڈیا
q-prior_reporting-opt-none = کہیں اور نہیں

q-attachments = فائلیں (اختیاری)

q-identity_name = آپ کا نام (اختیاری)
q-identity_contact_channel = ہم آپ سے کیسے رابطہ کر سکتے ہیں؟ (اختیاری)
q-identity_contact_channel-opt-email = ای میل
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = فون
q-identity_contact_channel-opt-other = دیگر
q-identity_contact = آپ کے رابطے کی تفصیل (اختیاری)
q-identity_contact-help = صرف ایسا رابطہ دیں جو آپ کے لیے استعمال کرنا محفوظ ہو۔

q-consent_informed_of_risks = میں سمجھتا/سمجھتی ہوں کہ میرے معاملے پر کوئی بھی کارروائی، چاہے احتیاط سے کی جائے، کچھ نہ کچھ خطرہ رکھتی ہے۔
q-consent_share_ohchr = میرا معاملہ اقوام متحدہ کی اس ٹیم کو بھیجا جا سکتا ہے جو انتقامی کارروائیوں کو دیکھتی ہے۔
q-consent_raise_with_state = میرا معاملہ متعلقہ حکومت کے سامنے اٹھایا جا سکتا ہے۔
q-consent_sg_report = کیا میرا معاملہ انتقامی کارروائیوں پر اقوام متحدہ کے سیکرٹری جنرل کی عوامی رپورٹ میں شامل کیا جا سکتا ہے؟
q-consent_sg_report-opt-named = ہاں، ناموں کے ساتھ
q-consent_sg_report-opt-anonymous = ہاں، لیکن ناموں کے بغیر
q-consent_sg_report-opt-no = نہیں
q-consent_share_protection_orgs = میرا معاملہ ان تنظیموں کو دیا جا سکتا ہے جو انسانی حقوق کے محافظوں کا تحفظ کرتی ہیں۔
q-consent_contact_back = جائزہ کار اس ویب سائٹ کے ذریعے مجھے جواب دے سکتے ہیں۔
q-consent_share_identity_un = میرا نام اور رابطہ اقوام متحدہ کو دیا جا سکتا ہے۔

opt-yes = ہاں
opt-no = نہیں
q-attachments-help = آپ دستاویزات، تصاویر، آڈیو یا ویڈیو منسلک کر سکتے ہیں۔ محفوظ کرنے سے پہلے ہم فائلوں کے اندر موجود وہ تفصیلات ہٹا دیتے ہیں جن سے آپ کی شناخت ہو سکتی ہے: مقام، کیمرا، مصنف۔
