# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = Как нам обращаться с данными о вашей личности?
q-anonymity-help = Выбор за вами. При любом выборе ваше сообщение шифруется до сохранения.
q-anonymity-opt-anonymous = Анонимно: не спрашивайте, кто я. Никто не узнает моего имени.
q-anonymity-opt-confidential = Конфиденциально: я могу указать имя и контакты, но их увидят только несколько доверенных сотрудников, и они никому не передаются.
q-anonymity-opt-consented = С согласием: я могу указать имя и контакты и могу разрешить передать их ООН.

q-reporter_relationship = Кем вы приходитесь человеку, который в опасности?
q-reporter_relationship-opt-self = Я и есть этот человек
q-reporter_relationship-opt-family = Член семьи
q-reporter_relationship-opt-colleague = Коллега
q-reporter_relationship-opt-organisation = Организация
q-reporter_relationship-opt-lawyer = Адвокат
q-reporter_relationship-opt-witness = Свидетель
q-reporter_relationship-opt-other = Другое

q-victim_type = Против кого это было направлено?
q-victim_type-help = Выберите все подходящие варианты.
q-victim_type-opt-defender = Правозащитник или правозащитница
q-victim_type-opt-journalist = Журналист
q-victim_type-opt-lawyer = Адвокат
q-victim_type-opt-victim_or_witness = Жертва или свидетель нарушения
q-victim_type-opt-relative = Родственник правозащитника или жертвы
q-victim_type-opt-ngo = Неправительственная организация
q-victim_type-opt-community = Община или группа
q-victim_type-opt-indigenous_representative = Представитель коренных народов
q-victim_type-opt-trade_unionist = Профсоюзный активист
q-victim_type-opt-nhri = Национальное правозащитное учреждение
q-victim_type-opt-un_staff = Сотрудник ООН
q-victim_type-opt-other = Другое

q-country = В какой стране это произошло?

q-locality = Город или регион (по желанию)
q-locality-help = По небольшому населённому пункту вас могут узнать. Если сомневаетесь, оставьте поле пустым.

q-incident_date = Когда это произошло? (по желанию)
q-incident_date-help = Укажите только то, что знаете: год, месяц или точный день.
q-incident_date-year = Год
q-incident_date-month = Месяц
q-incident_date-day = День
q-incident_date-precision = Насколько вы уверены в этой дате?
q-incident_date-precision-exact = Точная дата
q-incident_date-precision-estimate = Примерная дата
q-incident_date-precision-unknown = Не знаю

q-ongoing = Это продолжается сейчас?
q-ongoing-opt-yes = Да
q-ongoing-opt-no = Нет
q-ongoing-opt-unknown = Не знаю

q-reprisal_types = Что произошло?
q-reprisal_types-help = Выберите все подходящие варианты.
q-reprisal_types-opt-threats_harassment = Угрозы или преследование
q-reprisal_types-opt-death_threat = Угроза убийством
q-reprisal_types-opt-smear_campaign = Кампания по дискредитации
q-reprisal_types-opt-online_harassment = Преследование в интернете
q-reprisal_types-opt-hacking_cyberattack = Взлом или кибератака
q-reprisal_types-opt-physical_surveillance = Слежка (наружное наблюдение)
q-reprisal_types-opt-digital_surveillance = Цифровая слежка
q-reprisal_types-opt-travel_ban = Запрет на выезд
q-reprisal_types-opt-judicial_harassment = Судебное преследование или уголовное дело
q-reprisal_types-opt-arbitrary_detention = Произвольный арест или задержание
q-reprisal_types-opt-house_arrest = Домашний арест
q-reprisal_types-opt-enforced_disappearance = Насильственное исчезновение
q-reprisal_types-opt-torture_ill_treatment = Пытки или жестокое обращение
q-reprisal_types-opt-physical_attack = Физическое нападение
q-reprisal_types-opt-killing = Убийство
q-reprisal_types-opt-raid_search = Рейд или обыск
q-reprisal_types-opt-confiscation_damage = Конфискация или порча имущества
q-reprisal_types-opt-ngo_deregistration = Лишение организации регистрации
q-reprisal_types-opt-office_closure = Закрытие офиса
q-reprisal_types-opt-restrictive_legislation = Ограничительные законы
q-reprisal_types-opt-fines_asset_freeze = Штрафы или замораживание активов
q-reprisal_types-opt-dismissal_disbarment = Увольнение или лишение адвокатского статуса
q-reprisal_types-opt-deportation_exile = Высылка или вынужденное изгнание
q-reprisal_types-opt-deterred_from_cooperating = Препятствование сотрудничеству с ООН
q-reprisal_types-opt-other = Другое

q-un_engagement = Это произошло после контакта с ООН? С какой её частью?
q-un_engagement-help = Выберите все подходящие варианты.
q-un_engagement-opt-hrc_session = Сессия Совета по правам человека
q-un_engagement-opt-upr = Универсальный периодический обзор
q-un_engagement-opt-special_procedures = Специальные докладчики или другие специальные процедуры
q-un_engagement-opt-treaty_body = Договорный орган
q-un_engagement-opt-ohchr_presence = Отделение ООН по правам человека
q-un_engagement-opt-un_country_team = Страновая группа ООН
q-un_engagement-opt-peace_operation = Миротворческая операция ООН
q-un_engagement-opt-commission_of_inquiry = Комиссия по расследованию
q-un_engagement-opt-security_council = Совет Безопасности
q-un_engagement-opt-other_un_body = Другой орган ООН
q-un_engagement-opt-none = Никакой

q-un_engagement_detail = Подробности о контакте с ООН (по желанию)
q-un_engagement_detail-help = Например, сессия, мандат или номера документов.

q-perpetrator_types = Кто за этим стоит?
q-perpetrator_types-help = Выберите все подходящие варианты.
q-perpetrator_types-opt-police = Полиция
q-perpetrator_types-opt-military = Военные
q-perpetrator_types-opt-intelligence = Спецслужбы
q-perpetrator_types-opt-judiciary = Суды или прокуратура
q-perpetrator_types-opt-local_officials = Местные должностные лица
q-perpetrator_types-opt-national_officials = Должностные лица центральной власти
q-perpetrator_types-opt-pro_government_group = Проправительственная группа
q-perpetrator_types-opt-armed_group = Вооружённая группа
q-perpetrator_types-opt-private_individual = Частное лицо
q-perpetrator_types-opt-corporation = Компания
q-perpetrator_types-opt-media = СМИ
q-perpetrator_types-opt-unknown = Неизвестно

q-narrative = Что произошло? Расскажите своими словами.
q-narrative-help = Можно писать на любом языке. Пишите только то, чем вам спокойно делиться.

q-current_risk = Какова ситуация сейчас?
q-current_risk-help = Выберите все подходящие варианты.
q-current_risk-opt-detained = Кто-то находится под стражей
q-current_risk-opt-whereabouts_unknown = Местонахождение человека неизвестно
q-current_risk-opt-family_at_risk = Члены семьи в опасности
q-current_risk-opt-devices_compromised = Телефоны или компьютеры могут быть взломаны
q-current_risk-opt-travel_blocked = Выезд запрещён
q-current_risk-opt-court_date_pending = Скоро судебное заседание
q-current_risk-opt-none = Ничего из этого

q-help_needed = Какая помощь была бы полезна?
q-help_needed-help = Выберите все подходящие варианты.
q-help_needed-opt-legal = Юридическая помощь
q-help_needed-opt-digital_security = Цифровая безопасность
q-help_needed-opt-medical = Медицинская помощь
q-help_needed-opt-relocation = Переезд в безопасное место
q-help_needed-opt-advocacy = Правозащитная поддержка (адвокация)
q-help_needed-opt-raise_with_un = Сообщить об этом в ООН
q-help_needed-opt-none = Помощь не нужна

q-prior_reporting = Вы уже сообщали об этом куда-либо ещё?
q-prior_reporting-help = Выберите все подходящие варианты.
q-prior_reporting-opt-un = В ООН
q-prior_reporting-opt-national_authority = В государственный орган
q-prior_reporting-opt-nhri = В национальное правозащитное учреждение
q-prior_reporting-opt-ngo = В неправительственную организацию
q-prior_reporting-opt-media = В СМИ
q-prior_reporting-opt-none = Больше никуда

q-attachments = Файлы (по желанию)

q-identity_name = Ваше имя (по желанию)
q-identity_contact_channel = Как с вами связаться? (по желанию)
q-identity_contact_channel-opt-email = Электронная почта
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Телефон
q-identity_contact_channel-opt-other = Другое
q-identity_contact = Ваши контактные данные (по желанию)
q-identity_contact-help = Указывайте только такой контакт, которым вам безопасно пользоваться.

q-consent_informed_of_risks = Я понимаю, что любые действия по моему делу, даже осторожные, связаны с некоторым риском.
q-consent_share_ohchr = Моё дело можно передать группе ООН, которая занимается репрессиями.
q-consent_raise_with_state = О моём деле можно сообщить правительству соответствующей страны.
q-consent_sg_report = Можно ли упомянуть моё дело в публичном докладе Генерального секретаря ООН о репрессиях?
q-consent_sg_report-opt-named = Да, с именами
q-consent_sg_report-opt-anonymous = Да, но без имён
q-consent_sg_report-opt-no = Нет
q-consent_share_protection_orgs = Моё дело можно передать организациям, которые защищают правозащитников.
q-consent_contact_back = Сотрудники, рассматривающие сообщения, могут ответить мне через этот сайт.
q-consent_share_identity_un = Моё имя и контакты можно передать ООН.

opt-yes = Да
opt-no = Нет
q-attachments-help = Можно приложить документы, фото, аудио или видео. Перед сохранением мы удаляем из файлов сведения, по которым можно вас узнать: местоположение, камеру, автора.
