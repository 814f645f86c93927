# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = با هویت شما چگونه رفتار کنیم؟
q-anonymity-help = انتخاب با شماست. هر چه انتخاب کنید، گزارش شما پیش از ذخیره رمزگذاری می‌شود.
q-anonymity-opt-anonymous = ناشناس: نپرسید من کیستم. هیچ‌کس نام مرا نخواهد دانست.
q-anonymity-opt-confidential = محرمانه: ممکن است نام و راه تماسم را بدهم، اما فقط چند بررسی‌کننده مورد اعتماد می‌توانند آن‌ها را ببینند و هرگز با کسی به اشتراک گذاشته نمی‌شوند.
q-anonymity-opt-consented = با رضایت: ممکن است نام و راه تماسم را بدهم و ممکن است اجازه دهم که با سازمان ملل به اشتراک گذاشته شوند.

q-reporter_relationship = نسبت شما با فردی که در خطر است چیست؟
q-reporter_relationship-opt-self = خودم همان فردی هستم که در خطر است
q-reporter_relationship-opt-family = یکی از اعضای خانواده
q-reporter_relationship-opt-colleague = همکار
q-reporter_relationship-opt-organisation = یک سازمان
q-reporter_relationship-opt-lawyer = وکیل
q-reporter_relationship-opt-witness = شاهد
q-reporter_relationship-opt-other = دیگر

q-victim_type = چه کسی هدف قرار گرفت؟
q-victim_type-help = همه موارد مربوط را انتخاب کنید.
q-victim_type-opt-defender = مدافع حقوق بشر
q-victim_type-opt-journalist = روزنامه‌نگار
q-victim_type-opt-lawyer = وکیل
q-victim_type-opt-victim_or_witness = قربانی یا شاهد یک نقض حقوق بشر
q-victim_type-opt-relative = خویشاوند یک مدافع حقوق بشر یا یک قربانی
q-victim_type-opt-ngo = سازمان غیردولتی
q-victim_type-opt-community = جامعه محلی یا گروه
q-victim_type-opt-indigenous_representative = نماینده مردمان بومی
q-victim_type-opt-trade_unionist = فعال صنفی یا سندیکایی
q-victim_type-opt-nhri = نهاد ملی حقوق بشر
q-victim_type-opt-un_staff = کارمند سازمان ملل
q-victim_type-opt-other = دیگر

q-country = در کدام کشور رخ داد؟

q-locality = شهر یا منطقه (اختیاری)
q-locality-help = نام یک مکان کوچک ممکن است هویت شما را آشکار کند. اگر مطمئن نیستید، خالی بگذارید.

q-incident_date = چه زمانی رخ داد؟ (اختیاری)
q-incident_date-help = فقط آنچه را می‌دانید بنویسید: سال، ماه یا روز دقیق.
q-incident_date-year = سال
q-incident_date-month = ماه
q-incident_date-day = روز
q-incident_date-precision = چقدر از این تاریخ مطمئن هستید؟
q-incident_date-precision-exact = دقیق
q-incident_date-precision-estimate = تخمینی
q-incident_date-precision-unknown = نمی‌دانم

q-ongoing = آیا هنوز ادامه دارد؟
q-ongoing-opt-yes = بله
q-ongoing-opt-no = خیر
q-ongoing-opt-unknown = نمی‌دانم

q-reprisal_types = چه اتفاقی افتاد؟
q-reprisal_types-help = همه موارد مربوط را انتخاب کنید.
q-reprisal_types-opt-threats_harassment = تهدید یا آزار و اذیت
q-reprisal_types-opt-death_threat = تهدید به مرگ
q-reprisal_types-opt-smear_campaign = کارزار بدنام‌سازی
q-reprisal_types-opt-online_harassment = آزار و اذیت در فضای مجازی
q-reprisal_types-opt-hacking_cyberattack = هک یا حمله سایبری
q-reprisal_types-opt-physical_surveillance = تعقیب و مراقبت فیزیکی
q-reprisal_types-opt-digital_surveillance = نظارت دیجیتال
q-reprisal_types-opt-travel_ban = ممنوع‌الخروجی
q-reprisal_types-opt-judicial_harassment = آزار قضایی یا تعقیب کیفری
q-reprisal_types-opt-arbitrary_detention = دستگیری یا بازداشت خودسرانه
q-reprisal_types-opt-house_arrest = حبس خانگی
q-reprisal_types-opt-enforced_disappearance = ناپدیدشدگی قهری
q-reprisal_types-opt-torture_ill_treatment = شکنجه یا بدرفتاری
q-reprisal_types-opt-physical_attack = حمله فیزیکی
q-reprisal_types-opt-killing = قتل
q-reprisal_types-opt-raid_search = یورش یا بازرسی
q-reprisal_types-opt-confiscation_damage = مصادره یا آسیب به اموال
q-reprisal_types-opt-ngo_deregistration = لغو ثبت یک سازمان
q-reprisal_types-opt-office_closure = بستن یک دفتر
q-reprisal_types-opt-restrictive_legislation = قوانین محدودکننده
q-reprisal_types-opt-fines_asset_freeze = جریمه یا مسدود کردن دارایی‌ها
q-reprisal_types-opt-dismissal_disbarment = اخراج از کار یا لغو پروانه وکالت
q-reprisal_types-opt-deportation_exile = اخراج از کشور یا تبعید اجباری
q-reprisal_types-opt-deterred_from_cooperating = جلوگیری از همکاری با سازمان ملل
q-reprisal_types-opt-other = دیگر

q-un_engagement = آیا این اتفاق پس از ارتباط با سازمان ملل رخ داد؟ با کدام بخش؟
q-un_engagement-help = همه موارد مربوط را انتخاب کنید.
q-un_engagement-opt-hrc_session = نشست شورای حقوق بشر
q-un_engagement-opt-upr = بررسی دوره‌ای جهانی
q-un_engagement-opt-special_procedures = گزارشگران ویژه یا دیگر رویه‌های ویژه
q-un_engagement-opt-treaty_body = یک نهاد معاهده‌ای
q-un_engagement-opt-ohchr_presence = یک دفتر حقوق بشر سازمان ملل
q-un_engagement-opt-un_country_team = تیم کشوری سازمان ملل
q-un_engagement-opt-peace_operation = یک عملیات صلح سازمان ملل
q-un_engagement-opt-commission_of_inquiry = یک کمیسیون تحقیق
q-un_engagement-opt-security_council = شورای امنیت
q-un_engagement-opt-other_un_body = نهاد دیگری از سازمان ملل
q-un_engagement-opt-none = هیچ‌کدام

q-un_engagement_detail = جزئیات ارتباط با سازمان ملل (اختیاری)
q-un_engagement_detail-help = برای مثال نشست، مأموریت (ماندیت) یا شماره‌های مرجع.

q-perpetrator_types = چه کسی مسئول بود؟
q-perpetrator_types-help = همه موارد مربوط را انتخاب کنید.
q-perpetrator_types-opt-police = پلیس
q-perpetrator_types-opt-military = نیروهای نظامی
q-perpetrator_types-opt-intelligence = نهادهای اطلاعاتی و امنیتی
q-perpetrator_types-opt-judiciary = دادگاه‌ها یا دادستانی
q-perpetrator_types-opt-local_officials = مقام‌های محلی
q-perpetrator_types-opt-national_officials = مقام‌های کشوری
q-perpetrator_types-opt-pro_government_group = گروه حامی حکومت
q-perpetrator_types-opt-armed_group = گروه مسلح
q-perpetrator_types-opt-private_individual = فرد عادی
q-perpetrator_types-opt-corporation = شرکت
q-perpetrator_types-opt-media = رسانه‌ها
q-perpetrator_types-opt-unknown = نامعلوم

q-narrative = چه اتفاقی افتاد؟ با کلمات خودتان برای ما بنویسید.
q-narrative-help = به هر زبانی می‌توانید بنویسید. فقط آنچه را که با گفتنش راحت هستید بنویسید.

q-current_risk = وضعیت الان چگونه است؟
q-current_risk-help = همه موارد مربوط را انتخاب کنید.
q-current_risk-opt-detained = کسی در بازداشت است
q-current_risk-opt-whereabouts_unknown = از محل نگهداری یا سرنوشت کسی خبری نیست
q-current_risk-opt-family_at_risk = اعضای خانواده در خطرند
q-current_risk-opt-devices_compromised = ممکن است تلفن‌ها یا رایانه‌ها آلوده یا هک شده باشند
q-current_risk-opt-travel_blocked = اجازه سفر داده نمی‌شود
q-current_risk-opt-court_date_pending = جلسه دادگاه به‌زودی برگزار می‌شود
q-current_risk-opt-none = هیچ‌کدام

q-help_needed = چه کمکی می‌تواند مفید باشد؟
q-help_needed-help = همه موارد مربوط را انتخاب کنید.
q-help_needed-opt-legal = کمک حقوقی
q-help_needed-opt-digital_security = امنیت دیجیتال
q-help_needed-opt-medical = کمک پزشکی
q-help_needed-opt-relocation = جابه‌جایی به محل امن
q-help_needed-opt-advocacy = حمایت‌گری (دادخواهی)
q-help_needed-opt-raise_with_un = طرح موضوع نزد سازمان ملل
q-help_needed-opt-none = هیچ‌کدام

q-prior_reporting = آیا این موضوع را جای دیگری هم گزارش کرده‌اید؟
q-prior_reporting-help = همه موارد مربوط را انتخاب کنید.
q-prior_reporting-opt-un = سازمان ملل
q-prior_reporting-opt-national_authority = یک مرجع دولتی در کشور
q-prior_reporting-opt-nhri = یک نهاد ملی حقوق بشر
q-prior_reporting-opt-ngo = یک سازمان غیردولتی
q-prior_reporting-opt-media = رسانه‌ها
q-prior_reporting-opt-none = هیچ جای دیگر

q-attachments = فایل‌ها (اختیاری)

q-identity_name = نام شما (اختیاری)
q-identity_contact_channel = چگونه می‌توانیم با شما تماس بگیریم؟ (اختیاری)
q-identity_contact_channel-opt-email = ایمیل
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = تلفن
q-identity_contact_channel-opt-other = دیگر
q-identity_contact = اطلاعات تماس شما (اختیاری)
q-identity_contact-help = فقط راه تماسی را بدهید که استفاده از آن برایتان امن است.

q-consent_informed_of_risks = می‌دانم که هر اقدامی درباره پرونده من، حتی اقدامی با احتیاط، مقداری خطر دارد.
q-consent_share_ohchr = پرونده من می‌تواند به تیمی از سازمان ملل که به اقدامات تلافی‌جویانه رسیدگی می‌کند، سپرده شود.
q-consent_raise_with_state = پرونده من می‌تواند با دولت مربوط در میان گذاشته شود.
q-consent_sg_report = آیا پرونده من می‌تواند در گزارش عمومی دبیرکل سازمان ملل درباره اقدامات تلافی‌جویانه بیاید؟
q-consent_sg_report-opt-named = بله، با ذکر نام‌ها
q-consent_sg_report-opt-anonymous = بله، اما بدون ذکر نام‌ها
q-consent_sg_report-opt-no = خیر
q-consent_share_protection_orgs = پرونده من می‌تواند با سازمان‌هایی که از مدافعان حقوق بشر حمایت می‌کنند به اشتراک گذاشته شود.
q-consent_contact_back = بررسی‌کنندگان می‌توانند از طریق همین وب‌سایت به من پاسخ دهند.
q-consent_share_identity_un = نام و راه تماس من می‌تواند به سازمان ملل داده شود.

opt-yes = بله
opt-no = خیر
q-attachments-help = می‌توانید سند، عکس، صدا یا ویدیو پیوست کنید. پیش از ذخیره، جزئیاتی را که درون فایل‌هاست و ممکن است هویت شما را آشکار کند حذف می‌کنیم: مکان، دوربین، نویسنده.
