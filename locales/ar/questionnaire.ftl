# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = كيف نتعامل مع هويتكم؟
q-anonymity-help = الاختيار لكم. أيًّا كان اختياركم، يُشفَّر بلاغكم قبل حفظه.
q-anonymity-opt-anonymous = عدم الكشف عن الهوية: لا تسألوا عن هويتي. لن يعرف أحد اسمي.
q-anonymity-opt-confidential = سرّي: قد أذكر اسمي ووسيلة الاتصال بي، لكن لا يطّلع عليهما إلا عدد قليل من المراجعين الموثوقين، ولا يُشارَكان أبدًا.
q-anonymity-opt-consented = بموافقتي: قد أذكر اسمي ووسيلة الاتصال بي، وقد أسمح بمشاركتهما مع الأمم المتحدة.

q-reporter_relationship = ما صلتكم بالشخص المعرَّض للخطر؟
q-reporter_relationship-opt-self = أنا الشخص المعرَّض للخطر
q-reporter_relationship-opt-family = أحد أفراد الأسرة
q-reporter_relationship-opt-colleague = زميل أو زميلة
q-reporter_relationship-opt-organisation = منظمة
q-reporter_relationship-opt-lawyer = محامٍ أو محامية
q-reporter_relationship-opt-witness = شاهد أو شاهدة
q-reporter_relationship-opt-other = غير ذلك

q-victim_type = من المستهدَف؟
q-victim_type-help = اختاروا كل ما ينطبق.
q-victim_type-opt-defender = مدافع أو مدافعة عن حقوق الإنسان
q-victim_type-opt-journalist = صحفي أو صحفية
q-victim_type-opt-lawyer = محامٍ أو محامية
q-victim_type-opt-victim_or_witness = ضحية انتهاك أو شاهد عليه
q-victim_type-opt-relative = قريب لمدافع عن حقوق الإنسان أو لضحية
q-victim_type-opt-ngo = منظمة غير حكومية
q-victim_type-opt-community = مجتمع محلي أو جماعة
q-victim_type-opt-indigenous_representative = ممثل أو ممثلة للشعوب الأصلية
q-victim_type-opt-trade_unionist = نقابي أو نقابية
q-victim_type-opt-nhri = مؤسسة وطنية لحقوق الإنسان
q-victim_type-opt-un_staff = موظف أو موظفة في الأمم المتحدة
q-victim_type-opt-other = غير ذلك

q-country = في أي بلد حدث ذلك؟

q-locality = المدينة أو المنطقة (اختياري)
q-locality-help = ذكر مكان صغير قد يكشف هويتكم. اتركوا الخانة فارغة إذا لم تكونوا متأكدين.

q-incident_date = متى حدث ذلك؟ (اختياري)
q-incident_date-help = اذكروا فقط ما تعرفونه: السنة، أو الشهر، أو اليوم بالضبط.
q-incident_date-year = السنة
q-incident_date-month = الشهر
q-incident_date-day = اليوم
q-incident_date-precision = ما مدى تأكدكم من هذا التاريخ؟
q-incident_date-precision-exact = دقيق
q-incident_date-precision-estimate = تقديري
q-incident_date-precision-unknown = لا أعرف

q-ongoing = هل ما زال ذلك مستمرًا؟
q-ongoing-opt-yes = نعم
q-ongoing-opt-no = لا
q-ongoing-opt-unknown = لا أعرف

q-reprisal_types = ماذا حدث؟
q-reprisal_types-help = اختاروا كل ما ينطبق.
q-reprisal_types-opt-threats_harassment = تهديدات أو مضايقات
q-reprisal_types-opt-death_threat = تهديد بالقتل
q-reprisal_types-opt-smear_campaign = حملة تشهير
q-reprisal_types-opt-online_harassment = مضايقات عبر الإنترنت
q-reprisal_types-opt-hacking_cyberattack = اختراق أو هجوم إلكتروني
q-reprisal_types-opt-physical_surveillance = مراقبة ميدانية
q-reprisal_types-opt-digital_surveillance = مراقبة رقمية
q-reprisal_types-opt-travel_ban = منع من السفر
q-reprisal_types-opt-judicial_harassment = مضايقة قضائية أو ملاحقة جنائية
q-reprisal_types-opt-arbitrary_detention = القبض أو الاحتجاز التعسفي
q-reprisal_types-opt-house_arrest = الإقامة الجبرية
q-reprisal_types-opt-enforced_disappearance = الاختفاء القسري
q-reprisal_types-opt-torture_ill_treatment = التعذيب أو سوء المعاملة
q-reprisal_types-opt-physical_attack = اعتداء جسدي
q-reprisal_types-opt-killing = القتل
q-reprisal_types-opt-raid_search = مداهمة أو تفتيش
q-reprisal_types-opt-confiscation_damage = مصادرة الممتلكات أو إتلافها
q-reprisal_types-opt-ngo_deregistration = شطب تسجيل منظمة
q-reprisal_types-opt-office_closure = إغلاق مكتب
q-reprisal_types-opt-restrictive_legislation = قوانين تقييدية
q-reprisal_types-opt-fines_asset_freeze = غرامات أو تجميد أصول
q-reprisal_types-opt-dismissal_disbarment = الفصل من العمل أو الشطب من نقابة المحامين
q-reprisal_types-opt-deportation_exile = الترحيل أو النفي القسري
q-reprisal_types-opt-deterred_from_cooperating = المنع من التعاون مع الأمم المتحدة
q-reprisal_types-opt-other = غير ذلك

q-un_engagement = هل حدث ذلك بعد التواصل مع الأمم المتحدة؟ مع أي جهة فيها؟
q-un_engagement-help = اختاروا كل ما ينطبق.
q-un_engagement-opt-hrc_session = دورة لمجلس حقوق الإنسان
q-un_engagement-opt-upr = الاستعراض الدوري الشامل
q-un_engagement-opt-special_procedures = المقررون الخاصون أو إجراءات خاصة أخرى
q-un_engagement-opt-treaty_body = إحدى هيئات المعاهدات
q-un_engagement-opt-ohchr_presence = مكتب للأمم المتحدة لحقوق الإنسان
q-un_engagement-opt-un_country_team = فريق الأمم المتحدة القطري
q-un_engagement-opt-peace_operation = عملية سلام تابعة للأمم المتحدة
q-un_engagement-opt-commission_of_inquiry = لجنة تحقيق
q-un_engagement-opt-security_council = مجلس الأمن
q-un_engagement-opt-other_un_body = هيئة أخرى تابعة للأمم المتحدة
q-un_engagement-opt-none = لا شيء

q-un_engagement_detail = تفاصيل التواصل مع الأمم المتحدة (اختياري)
q-un_engagement_detail-help = مثلًا: الدورة، أو الولاية، أو الأرقام المرجعية.

q-perpetrator_types = من المسؤول؟
q-perpetrator_types-help = اختاروا كل ما ينطبق.
q-perpetrator_types-opt-police = الشرطة
q-perpetrator_types-opt-military = الجيش
q-perpetrator_types-opt-intelligence = أجهزة المخابرات
q-perpetrator_types-opt-judiciary = المحاكم أو النيابة العامة
q-perpetrator_types-opt-local_officials = مسؤولون محليون
q-perpetrator_types-opt-national_officials = مسؤولون على المستوى الوطني
q-perpetrator_types-opt-pro_government_group = جماعة موالية للحكومة
q-perpetrator_types-opt-armed_group = جماعة مسلحة
q-perpetrator_types-opt-private_individual = فرد عادي
q-perpetrator_types-opt-corporation = شركة
q-perpetrator_types-opt-media = وسائل الإعلام
q-perpetrator_types-opt-unknown = غير معروف

q-narrative = ماذا حدث؟ أخبرونا بكلماتكم.
q-narrative-help = يمكنكم الكتابة بأي لغة. اكتبوا فقط ما ترتاحون لمشاركته.

q-current_risk = ما الوضع الآن؟
q-current_risk-help = اختاروا كل ما ينطبق.
q-current_risk-opt-detained = شخص ما محتجز
q-current_risk-opt-whereabouts_unknown = مكان وجود شخص ما غير معروف
q-current_risk-opt-family_at_risk = أفراد من الأسرة معرَّضون للخطر
q-current_risk-opt-devices_compromised = قد تكون الهواتف أو الحواسيب مخترقة
q-current_risk-opt-travel_blocked = السفر ممنوع
q-current_risk-opt-court_date_pending = هناك موعد قريب أمام المحكمة
q-current_risk-opt-none = لا شيء من ذلك

q-help_needed = ما المساعدة التي قد تفيد؟
q-help_needed-help = اختاروا كل ما ينطبق.
q-help_needed-opt-legal = مساعدة قانونية
q-help_needed-opt-digital_security = الأمان الرقمي
q-help_needed-opt-medical = مساعدة طبية
q-help_needed-opt-relocation = الانتقال إلى مكان آمن
q-help_needed-opt-advocacy = المناصرة
q-help_needed-opt-raise_with_un = عرض الأمر على الأمم المتحدة
q-help_needed-opt-none = لا شيء

q-prior_reporting = هل أبلغتم عن ذلك في مكان آخر؟
q-prior_reporting-help = اختاروا كل ما ينطبق.
q-prior_reporting-opt-un = الأمم المتحدة
q-prior_reporting-opt-national_authority = سلطة وطنية
q-prior_reporting-opt-nhri = مؤسسة وطنية لحقوق الإنسان
q-prior_reporting-opt-ngo = منظمة غير حكومية
q-prior_reporting-opt-media = وسائل الإعلام
q-prior_reporting-opt-none = لم أبلغ في أي مكان آخر

q-attachments = ملفات (اختياري)

q-identity_name = اسمكم (اختياري)
q-identity_contact_channel = كيف يمكننا التواصل معكم؟ (اختياري)
q-identity_contact_channel-opt-email = البريد الإلكتروني
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = الهاتف
q-identity_contact_channel-opt-other = غير ذلك
q-identity_contact = بيانات الاتصال بكم (اختياري)
q-identity_contact-help = لا تذكروا إلا وسيلة اتصال آمنة بالنسبة لكم.

q-consent_informed_of_risks = أفهم أن أي إجراء بشأن حالتي، حتى لو كان حذرًا، ينطوي على قدر من الخطر.
q-consent_share_ohchr = يجوز إحالة حالتي إلى فريق الأمم المتحدة المعني بالأعمال الانتقامية.
q-consent_raise_with_state = يجوز عرض حالتي على الحكومة المعنية.
q-consent_sg_report = هل يجوز أن تُذكر حالتي في التقرير العلني للأمين العام للأمم المتحدة عن الأعمال الانتقامية؟
q-consent_sg_report-opt-named = نعم، مع ذكر الأسماء
q-consent_sg_report-opt-anonymous = نعم، ولكن دون ذكر الأسماء
q-consent_sg_report-opt-no = لا
q-consent_share_protection_orgs = يجوز مشاركة حالتي مع منظمات تحمي المدافعين عن حقوق الإنسان.
q-consent_contact_back = يجوز للمراجعين الرد عليّ عبر هذا الموقع.
q-consent_share_identity_un = يجوز إعطاء اسمي ووسيلة الاتصال بي للأمم المتحدة.

opt-yes = نعم
opt-no = لا
q-attachments-help = يمكنكم إرفاق مستندات أو صور أو تسجيلات صوتية أو فيديو. قبل الحفظ نزيل من داخل الملفات التفاصيل التي قد تكشف هويتكم: الموقع، والكاميرا، والمؤلف.
